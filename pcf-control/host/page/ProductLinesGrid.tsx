import * as React from 'react';
import {
  Button,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import {
  changesOf,
  draftOf,
  lineQuery,
  LINE_TABLES,
  readLine,
  type LineDraft,
  type ProductLine,
} from './productLines';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  number: { width: '8em' },
  name: { width: '100%', minWidth: '12em' },
  actions: { display: 'flex', columnGap: tokens.spacingHorizontalS },
});

export interface ProductLinesGridProps {
  entity: 'opportunity' | 'quote';
  recordId: string;
  webAPI: ComponentFramework.WebApi;
  readOnly: boolean;
  /** A line was written: the form refreshes, as Dynamics does after a subgrid save. */
  onSaved: () => void;
}

const EMPTY_DRAFT: LineDraft = { name: '', pricePerUnit: '', quantity: '1', manualDiscount: '' };

/** The form's product-lines subgrid: edit a line inline, add a write-in line, delete a line. */
export function ProductLinesGrid({ entity, recordId, webAPI, readOnly, onSaved }: ProductLinesGridProps) {
  const styles = useStyles();
  const table = LINE_TABLES[entity];
  const [lines, setLines] = React.useState<ProductLine[] | null>(null);
  const [drafts, setDrafts] = React.useState<Record<string, LineDraft>>({});
  const [added, setAdded] = React.useState<LineDraft>(EMPTY_DRAFT);
  const [problem, setProblem] = React.useState<string | null>(null);
  const [status, setStatus] = React.useState('');
  const [busy, setBusy] = React.useState(false);

  const load = React.useCallback(async () => {
    const answer = await webAPI.retrieveMultipleRecords(table.entityType, lineQuery(table, recordId));
    const read = answer.entities.map((row) => readLine(table, row));
    setLines(read);
    setDrafts(Object.fromEntries(read.map((line) => [line.id, draftOf(line)])));
  }, [webAPI, table, recordId]);

  React.useEffect(() => {
    setLines(null);
    load().catch((error: unknown) => {
      setProblem(error instanceof Error ? error.message : String(error));
    });
  }, [load]);

  const write = async (what: string, action: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
      await load();
      setStatus(what);
      onSaved();
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  const save = (line: ProductLine) => {
    const draft = drafts[line.id];
    if (draft === undefined) return;
    const changes = changesOf(line, draft);
    if (!changes.ok) {
      setProblem(`${line.name}: ${changes.problem}`);
      return;
    }
    if (Object.keys(changes.data).length === 0) {
      setStatus(`${line.name}: nothing changed`);
      return;
    }
    void write(`Saved ${line.name}`, () => webAPI.updateRecord(table.entityType, line.id, changes.data));
  };

  const add = () => {
    const changes = changesOf(null, added);
    if (!changes.ok) {
      setProblem(`New line: ${changes.problem}`);
      return;
    }
    const data = { ...changes.data, [table.parentBind]: `/${table.parentSet}(${recordId})` };
    void write(`Added ${added.name.trim()}`, async () => {
      await webAPI.createRecord(table.entityType, data);
      setAdded(EMPTY_DRAFT);
    });
  };

  const edit = (id: string, field: keyof LineDraft, value: string) => {
    setDrafts((current) => {
      const draft = current[id];
      return draft === undefined ? current : { ...current, [id]: { ...draft, [field]: value } };
    });
  };

  const cellInput = (label: string, value: string, onChange: (value: string) => void, numeric: boolean) => (
    <Input
      aria-label={label}
      value={value}
      disabled={readOnly || busy}
      inputMode={numeric ? 'decimal' : 'text'}
      className={numeric ? styles.number : styles.name}
      onChange={(_event, data) => {
        onChange(data.value);
      }}
    />
  );

  return (
    <section aria-labelledby="product-lines-heading" className={styles.section}>
      <Subtitle2 as="h2" id="product-lines-heading">
        Product lines
      </Subtitle2>
      {problem !== null && (
        <MessageBar intent="error">
          <MessageBarBody>{problem}</MessageBarBody>
        </MessageBar>
      )}
      {readOnly && <Text>This form is read-only: its lines cannot be changed.</Text>}
      <Text role="status">{status}</Text>
      {lines === null ? (
        <Text>Loading product lines…</Text>
      ) : (
        <Table aria-label="Product lines" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Price per unit</TableHeaderCell>
              <TableHeaderCell>Quantity</TableHeaderCell>
              <TableHeaderCell>Manual discount</TableHeaderCell>
              <TableHeaderCell>Extended amount</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {lines.map((line) => {
              const draft = drafts[line.id] ?? draftOf(line);
              return (
                <TableRow key={line.id}>
                  <TableCell>
                    {line.writeIn
                      ? cellInput(
                          `Name of ${line.name}`,
                          draft.name,
                          (value) => {
                            edit(line.id, 'name', value);
                          },
                          false,
                        )
                      : line.name}
                  </TableCell>
                  <TableCell>
                    {cellInput(
                      `Price per unit of ${line.name}`,
                      draft.pricePerUnit,
                      (value) => {
                        edit(line.id, 'pricePerUnit', value);
                      },
                      true,
                    )}
                  </TableCell>
                  <TableCell>
                    {cellInput(
                      `Quantity of ${line.name}`,
                      draft.quantity,
                      (value) => {
                        edit(line.id, 'quantity', value);
                      },
                      true,
                    )}
                  </TableCell>
                  <TableCell>
                    {cellInput(
                      `Manual discount of ${line.name}`,
                      draft.manualDiscount,
                      (value) => {
                        edit(line.id, 'manualDiscount', value);
                      },
                      true,
                    )}
                  </TableCell>
                  <TableCell>{line.extendedAmount === null ? '' : line.extendedAmount.toFixed(2)}</TableCell>
                  <TableCell>
                    <div className={styles.actions}>
                      <Button
                        size="small"
                        aria-label={`Save ${line.name}`}
                        disabled={readOnly || busy}
                        onClick={() => {
                          save(line);
                        }}
                      >
                        Save
                      </Button>
                      <Button
                        size="small"
                        aria-label={`Delete ${line.name}`}
                        disabled={readOnly || busy}
                        onClick={() =>
                          void write(`Deleted ${line.name}`, () =>
                            webAPI.deleteRecord(table.entityType, line.id),
                          )
                        }
                      >
                        Delete
                      </Button>
                    </div>
                  </TableCell>
                </TableRow>
              );
            })}
            <TableRow>
              <TableCell>
                {cellInput(
                  'Name of the new write-in line',
                  added.name,
                  (name) => {
                    setAdded({ ...added, name });
                  },
                  false,
                )}
              </TableCell>
              <TableCell>
                {cellInput(
                  'Price per unit of the new line',
                  added.pricePerUnit,
                  (pricePerUnit) => {
                    setAdded({ ...added, pricePerUnit });
                  },
                  true,
                )}
              </TableCell>
              <TableCell>
                {cellInput(
                  'Quantity of the new line',
                  added.quantity,
                  (quantity) => {
                    setAdded({ ...added, quantity });
                  },
                  true,
                )}
              </TableCell>
              <TableCell>
                {cellInput(
                  'Manual discount of the new line',
                  added.manualDiscount,
                  (manualDiscount) => {
                    setAdded({ ...added, manualDiscount });
                  },
                  true,
                )}
              </TableCell>
              <TableCell />
              <TableCell>
                <Button size="small" appearance="primary" disabled={readOnly || busy} onClick={add}>
                  Add write-in line
                </Button>
              </TableCell>
            </TableRow>
          </TableBody>
        </Table>
      )}
    </section>
  );
}
