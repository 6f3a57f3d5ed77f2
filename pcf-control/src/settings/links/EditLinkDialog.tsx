import * as React from 'react';
import {
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { LINK_STATES, type Link, type LinkPatchBody } from '../../api/contract';
import { describeError, type ErrorView } from '../../api/errors';
import { ApiError } from '../../api/SyncApiClient';
import { useStrings } from '../../strings/strings';
import { ActionDialog } from '../../ui/ActionDialog';
import { useServices } from '../../ui/Services';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
  line: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
});

type LinkState = Link['state'];

export const LINK_STATE_KEYS: Record<LinkState, string> = {
  active: 'Links_State_active',
  deleted_in_oneflow: 'Links_State_deleted_in_oneflow',
};

/** A product id as typed: a positive whole number in plain digits, or null when it is not one. */
function parseProductId(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[1-9][0-9]*$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : null;
}

/** Only what the admin changed: an unchanged field is never sent, so it cannot undo someone else's repair. */
function linkPatch(link: Link, productId: number, state: LinkState): LinkPatchBody | null {
  const patch: LinkPatchBody = {
    ...(productId === link.productId ? {} : { productId }),
    ...(state === link.state ? {} : { state }),
  };
  return Object.keys(patch).length === 0 ? null : patch;
}

export interface EditLinkDialogProps {
  link: Link;
  onSaved: (link: Link) => void;
  /** The link is no longer there (removed by someone else, or its contract unlinked). */
  onGone: (link: Link) => void;
  onCancel: () => void;
}

/** A repair by hand: the link re-pointed at another Oneflow product, or its state changed. */
export function EditLinkDialog({ link, onSaved, onGone, onCancel }: EditLinkDialogProps): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const { client } = useServices();
  const [productText, setProductText] = React.useState(String(link.productId));
  const [state, setState] = React.useState<LinkState>(link.state);
  const [touched, setTouched] = React.useState(false);
  const [saving, setSaving] = React.useState(false);
  const [takenProduct, setTakenProduct] = React.useState<number | null>(null);
  const [error, setError] = React.useState<ErrorView | null>(null);

  const productId = parseProductId(productText);
  const patch = productId === null ? null : linkPatch(link, productId, state);
  let productMessage: string | undefined;
  if (productId === null && touched) productMessage = t('Links_Edit_ProductInvalid');
  else if (takenProduct !== null && takenProduct === productId)
    productMessage = t('Links_Edit_ProductTaken', takenProduct);

  const save = (): void => {
    setTouched(true);
    if (productId === null || patch === null || saving) return;
    setSaving(true);
    setError(null);
    setTakenProduct(null);
    client.updateLink(link.contractId, link.lineId, patch).then(
      (answer) => {
        onSaved(answer.link);
      },
      (failure: unknown) => {
        setSaving(false);
        if (failure instanceof ApiError && failure.code === 'product_already_linked') {
          setTakenProduct(productId);
        } else if (failure instanceof ApiError && failure.code === 'not_found') {
          onGone(link);
        } else {
          setError(describeError(failure, t));
        }
      },
    );
  };

  const noChange = productId !== null && patch === null;
  return (
    <ActionDialog
      title={t('Links_Edit_Title')}
      modalType="modal"
      asForm
      running={saving}
      runningLabel={t('Links_Edit_Saving')}
      error={error}
      confirmLabel={t('Links_Edit_Save')}
      confirmDisabled={noChange}
      onConfirm={save}
      cancelLabel={t('Links_Cancel')}
      onCancel={onCancel}
      contentClassName={styles.form}
    >
      <Text>
        {t('Links_Edit_Which', link.contractId)} <span className={styles.line}>{link.lineId}</span>
      </Text>
      <Field
        label={t('Links_Edit_Product')}
        required
        validationState={productMessage === undefined ? 'none' : 'error'}
        validationMessage={productMessage}
      >
        <Input
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          value={productText}
          disabled={saving}
          onChange={(_event, data) => {
            setProductText(data.value);
            setTouched(true);
          }}
        />
      </Field>
      <Field label={t('Links_Edit_State')}>
        <Dropdown
          value={t(LINK_STATE_KEYS[state])}
          selectedOptions={[state]}
          disabled={saving}
          onOptionSelect={(_event, data) => {
            const next = LINK_STATES.find((candidate) => candidate === data.optionValue);
            if (next !== undefined) setState(next);
          }}
        >
          {LINK_STATES.map((value) => (
            <Option key={value} value={value}>
              {t(LINK_STATE_KEYS[value])}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <MessageBar intent="warning">
        <MessageBarBody>{t('Links_Edit_Warning')}</MessageBarBody>
      </MessageBar>
      {noChange && <Text>{t('Links_Edit_NoChange')}</Text>}
    </ActionDialog>
  );
}
