import { notModeled, queryError } from './errors';

/**
 * The `$filter` language as Dataverse accepts it: comparisons (eq ne gt ge lt le), and / or / not, parentheses,
 * contains / startswith / endswith, and typed literals (strings, numbers, null, booleans, unquoted GUIDs,
 * date-times, `Namespace.Enum'Member'`). Lambda operators, `in`/`has` and Dataverse's query functions are refused
 * with a 400 instead of being ignored.
 *
 * Parsing is separate from evaluation: `checkFilter` validates property names and operand types against a
 * schema before any row is read (so a bad filter fails even on an empty table, as in Dataverse), and
 * `evaluateFilter` applies SQL's three-valued logic, because Dataverse runs filters as SQL: a comparison with a
 * null column is unknown, so `name ne 'x'` does not return rows whose name is null.
 */

type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
type StringFunctionName = 'contains' | 'startswith' | 'endswith';

type FilterLiteral =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number; isInteger: boolean }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' }
  | { type: 'guid'; value: string }
  | { type: 'datetime'; value: string }
  | { type: 'enum'; enumType: string; member: string };

type FilterOperand = { kind: 'property'; path: string[] } | { kind: 'literal'; literal: FilterLiteral };

export type FilterExpression =
  | { kind: 'and' | 'or'; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; operand: FilterExpression }
  | { kind: 'compare'; operator: ComparisonOperator; left: FilterOperand; right: FilterOperand }
  | { kind: 'stringFunction'; name: StringFunctionName; path: string[]; value: string }
  | { kind: 'booleanProperty'; path: string[] };

/** Edm type names as Dataverse reports them in errors; enums are their qualified type name. */
type EdmType = string;

export type FilterValue = string | number | boolean | null;

export interface FilterSchema {
  /** The Edm type of a property path; throws Dataverse's "Could not find a property" error when unknown. */
  typeOf(path: string[]): EdmType;
}

export type RowValues = (path: string[]) => FilterValue;

const COMPARISON_OPERATORS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const STRING_FUNCTIONS = new Set<string>(['contains', 'startswith', 'endswith']);
/** OData's other canonical functions: real names, so they are "not modeled" rather than unknown. */
const OTHER_CANONICAL_FUNCTIONS = new Set<string>([
  'length',
  'indexof',
  'substring',
  'tolower',
  'toupper',
  'trim',
  'concat',
  'year',
  'month',
  'day',
  'hour',
  'minute',
  'second',
  'fractionalseconds',
  'totalseconds',
  'date',
  'time',
  'totaloffsetminutes',
  'mindatetime',
  'maxdatetime',
  'now',
  'round',
  'floor',
  'ceiling',
  'cast',
  'isof',
  'geo.distance',
  'geo.length',
  'geo.intersects',
]);
/** Dataverse's own query functions (Microsoft.Dynamics.CRM.Between, …). */
const DATAVERSE_FUNCTION_PREFIX = 'Microsoft.Dynamics.CRM.';
const NUMERIC_TYPES = new Set<string>(['Edm.Decimal', 'Edm.Int32', 'Edm.Int64', 'Edm.Double']);
const OPERATOR_KIND: Record<ComparisonOperator, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};

type TokenKind =
  'open' | 'close' | 'comma' | 'slash' | 'word' | 'string' | 'number' | 'guid' | 'datetime' | 'enum';

interface Token {
  kind: TokenKind;
  text: string;
  /** Zero-based offset in the filter text, reported one-based like OData's parser. */
  position: number;
  /** Decoded value of string and enum-member literals. */
  value?: string;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfFlL]?/;
const WORD = /^[A-Za-z_][A-Za-z0-9_.]*/;

function syntaxError(text: string, position: number): Error {
  return queryError(`Syntax error at position ${position + 1} in '${text}'.`);
}

/** Reads a quoted literal starting at `start` (the opening quote); `''` is an escaped quote. */
function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  let index = start + 1;
  for (;;) {
    const char = text[index];
    if (char === undefined) {
      throw queryError(`There is an unterminated literal at position ${start + 1} in '${text}'.`);
    }
    if (char === "'") {
      if (text[index + 1] === "'") {
        value += "'";
        index += 2;
        continue;
      }
      return { value, end: index + 1 };
    }
    value += char;
    index += 1;
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  const single: Record<string, TokenKind> = { '(': 'open', ')': 'close', ',': 'comma', '/': 'slash' };
  while (index < text.length) {
    const char = text.charAt(index);
    if (char === ' ' || char === '\t') {
      index += 1;
      continue;
    }
    const singleKind = single[char];
    if (singleKind) {
      tokens.push({ kind: singleKind, text: char, position: index });
      index += 1;
      continue;
    }
    if (char === "'") {
      const { value, end } = readQuoted(text, index);
      tokens.push({ kind: 'string', text: text.slice(index, end), position: index, value });
      index = end;
      continue;
    }
    const rest = text.slice(index);
    const guid = GUID.exec(rest);
    if (guid && !/[0-9A-Za-z_]/.test(rest.charAt(guid[0].length))) {
      tokens.push({ kind: 'guid', text: guid[0], position: index });
      index += guid[0].length;
      continue;
    }
    const datetime = DATETIME.exec(rest);
    if (datetime) {
      tokens.push({ kind: 'datetime', text: datetime[0], position: index });
      index += datetime[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], position: index });
      index += number[0].length;
      continue;
    }
    const word = WORD.exec(rest);
    if (word) {
      const after = index + word[0].length;
      if (text[after] === "'" && word[0].includes('.')) {
        // An enum literal: Microsoft.Dynamics.CRM.OwnershipTypes'UserOwned'
        const { value, end } = readQuoted(text, after);
        tokens.push({
          kind: 'enum',
          text: text.slice(index, end),
          position: index,
          value: `${word[0]}|${value}`,
        });
        index = end;
        continue;
      }
      tokens.push({ kind: 'word', text: word[0], position: index });
      index = after;
      continue;
    }
    throw syntaxError(text, index);
  }
  return tokens;
}

class Parser {
  private index = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  parse(): FilterExpression {
    if (this.tokens.length === 0) throw syntaxError(this.text, 0);
    const expression = this.parseOr();
    const extra = this.peek();
    if (extra) throw syntaxError(this.text, extra.position);
    return expression;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (!token) throw syntaxError(this.text, this.text.length);
    this.index += 1;
    return token;
  }

  private isWord(token: Token | undefined, word: string): boolean {
    return token?.kind === 'word' && token.text === word;
  }

  private expect(kind: TokenKind): Token {
    const token = this.next();
    if (token.kind !== kind) throw syntaxError(this.text, token.position);
    return token;
  }

  private parseOr(): FilterExpression {
    let left = this.parseAnd();
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterExpression {
    let left = this.parseUnary();
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterExpression {
    if (this.isWord(this.peek(), 'not')) {
      this.next();
      return { kind: 'not', operand: this.parseUnary() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): FilterExpression {
    const token = this.peek();
    if (token?.kind === 'open') {
      this.next();
      const inner = this.parseOr();
      this.expect('close');
      return inner;
    }
    if (token?.kind === 'word' && this.peek(1)?.kind === 'open') return this.parseFunction();
    const left = this.parseOperand();
    const operator = this.peek();
    if (operator?.kind === 'word' && COMPARISON_OPERATORS.has(operator.text)) {
      this.next();
      const right = this.parseOperand();
      return { kind: 'compare', operator: operator.text as ComparisonOperator, left, right };
    }
    if (operator?.kind === 'word' && (operator.text === 'in' || operator.text === 'has')) {
      throw notModeled(`The '${operator.text}' operator in $filter`);
    }
    if (left.kind === 'property') return { kind: 'booleanProperty', path: left.path };
    throw syntaxError(this.text, operator?.position ?? this.text.length);
  }

  private parseFunction(): FilterExpression {
    const name = this.next();
    if (!STRING_FUNCTIONS.has(name.text)) {
      if (OTHER_CANONICAL_FUNCTIONS.has(name.text) || name.text.startsWith(DATAVERSE_FUNCTION_PREFIX)) {
        throw notModeled(`The function '${name.text}' in $filter`);
      }
      throw queryError(
        `An unknown function with name '${name.text}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`,
      );
    }
    this.expect('open');
    const path = this.parsePath();
    this.expect('comma');
    const value = this.next();
    if (value.kind !== 'string' || value.value === undefined) {
      throw queryError(
        `No function signature for the function with name '${name.text}' matches the specified arguments. The function signatures considered are: ${name.text}(Edm.String Nullable=true, Edm.String Nullable=true).`,
      );
    }
    this.expect('close');
    return { kind: 'stringFunction', name: name.text as StringFunctionName, path, value: value.value };
  }

  private parsePath(): string[] {
    const path = [this.expect('word').text];
    while (this.peek()?.kind === 'slash') {
      this.next();
      const segment = this.next();
      if (segment.kind !== 'word') throw syntaxError(this.text, segment.position);
      if (segment.text === 'any' || segment.text === 'all') {
        throw notModeled(`The lambda operator '${segment.text}' in $filter`);
      }
      path.push(segment.text);
    }
    return path;
  }

  private parseOperand(): FilterOperand {
    const token = this.peek();
    if (!token) throw syntaxError(this.text, this.text.length);
    switch (token.kind) {
      case 'string':
        this.next();
        return { kind: 'literal', literal: { type: 'string', value: token.value ?? '' } };
      case 'number': {
        this.next();
        const numeric = token.text.replace(/[mMdDfFlL]$/, '');
        const value = Number(numeric);
        return {
          kind: 'literal',
          literal: {
            type: 'number',
            value,
            isInteger: /^-?\d+$/.test(numeric) && Math.abs(value) <= 2147483647,
          },
        };
      }
      case 'guid':
        this.next();
        return { kind: 'literal', literal: { type: 'guid', value: token.text.toLowerCase() } };
      case 'datetime':
        this.next();
        return { kind: 'literal', literal: { type: 'datetime', value: token.text } };
      case 'enum': {
        this.next();
        const [enumType = '', member = ''] = (token.value ?? '').split('|');
        return { kind: 'literal', literal: { type: 'enum', enumType, member } };
      }
      case 'word':
        if (token.text === 'null') {
          this.next();
          return { kind: 'literal', literal: { type: 'null' } };
        }
        if (token.text === 'true' || token.text === 'false') {
          this.next();
          return { kind: 'literal', literal: { type: 'boolean', value: token.text === 'true' } };
        }
        return { kind: 'property', path: this.parsePath() };
      default:
        throw syntaxError(this.text, token.position);
    }
  }
}

export function parseFilter(text: string): FilterExpression {
  const lambda = /\/(any|all)\(/.exec(text);
  if (lambda) throw notModeled(`The lambda operator '${lambda[1] ?? ''}' in $filter`);
  // Their named parameters (PropertyName='x') are not $filter syntax, so they are recognised before tokenizing.
  const dataverseFunction = /\bMicrosoft\.Dynamics\.CRM\.[A-Za-z]+(?=\s*\()/.exec(text);
  if (dataverseFunction) throw notModeled(`The function '${dataverseFunction[0]}' in $filter`);
  return new Parser(text, tokenize(text)).parse();
}

function literalType(literal: FilterLiteral): EdmType | null {
  switch (literal.type) {
    case 'string':
      return 'Edm.String';
    case 'number':
      return literal.isInteger ? 'Edm.Int32' : 'Edm.Decimal';
    case 'boolean':
      return 'Edm.Boolean';
    case 'guid':
      return 'Edm.Guid';
    case 'datetime':
      return 'Edm.DateTimeOffset';
    case 'enum':
      return literal.enumType;
    case 'null':
      return null;
  }
}

function operandType(operand: FilterOperand, schema: FilterSchema): EdmType | null {
  return operand.kind === 'property' ? schema.typeOf(operand.path) : literalType(operand.literal);
}

function compatible(left: EdmType, right: EdmType): boolean {
  if (left === right) return true;
  return NUMERIC_TYPES.has(left) && NUMERIC_TYPES.has(right);
}

/** Validates names and operand types before any row is read; throws Dataverse's 400 on the first problem. */
export function checkFilter(expression: FilterExpression, schema: FilterSchema): void {
  switch (expression.kind) {
    case 'and':
    case 'or':
      checkFilter(expression.left, schema);
      checkFilter(expression.right, schema);
      return;
    case 'not':
      checkFilter(expression.operand, schema);
      return;
    case 'booleanProperty': {
      const type = schema.typeOf(expression.path);
      if (type !== 'Edm.Boolean') {
        throw queryError(
          `The $filter expression must evaluate to a single boolean value; '${expression.path.join('/')}' is ${type}.`,
        );
      }
      return;
    }
    case 'stringFunction': {
      const type = schema.typeOf(expression.path);
      if (type !== 'Edm.String') {
        throw queryError(
          `No function signature for the function with name '${expression.name}' matches the specified arguments. The function signatures considered are: ${expression.name}(Edm.String Nullable=true, Edm.String Nullable=true).`,
        );
      }
      return;
    }
    case 'compare': {
      const left = operandType(expression.left, schema);
      const right = operandType(expression.right, schema);
      if (left !== null && right !== null && !compatible(left, right)) {
        throw queryError(
          `A binary operator with incompatible types was detected. Found operand types '${left}' and '${right}' for operator kind '${OPERATOR_KIND[expression.operator]}'.`,
        );
      }
      return;
    }
  }
}

/** SQL's LIKE, which Dataverse's contains/startswith/endswith compile to: % _ [..] [^..] are wildcards. */
function likePattern(value: string, name: StringFunctionName): RegExp {
  let source = '';
  for (let index = 0; index < value.length; index += 1) {
    const char = value.charAt(index);
    if (char === '%') source += '.*';
    else if (char === '_') source += '.';
    else if (char === '[') {
      const close = value.indexOf(']', index + 1);
      if (close === -1) {
        source += '\\[';
      } else {
        const body = value.slice(index + 1, close);
        const negated = body.startsWith('^');
        const members = (negated ? body.slice(1) : body).replace(/[\\\]]/g, '\\$&');
        source += `[${negated ? '^' : ''}${members}]`;
        index = close;
      }
    } else source += char.replace(/[.*+?^${}()|\\\]]/g, '\\$&');
  }
  const prefix = name === 'startswith' ? '^' : '^.*';
  const suffix = name === 'endswith' ? '$' : '.*$';
  return new RegExp(`${prefix}${source}${suffix}`, 'is');
}

type Truth = boolean | null;

function literalValue(literal: FilterLiteral): FilterValue {
  switch (literal.type) {
    case 'null':
      return null;
    case 'enum':
      return literal.member;
    default:
      return literal.value;
  }
}

function comparable(value: Exclude<FilterValue, null>, type: EdmType | null): string | number | boolean {
  if (typeof value !== 'string') return value;
  if (type === 'Edm.DateTimeOffset') return Date.parse(value);
  // SQL Server's default collation: string and GUID comparisons ignore case.
  return value.toLowerCase();
}

function isNullLiteral(operand: FilterOperand): boolean {
  return operand.kind === 'literal' && operand.literal.type === 'null';
}

function compare(
  operator: ComparisonOperator,
  left: FilterValue,
  right: FilterValue,
  type: EdmType | null,
): Truth {
  if (left === null || right === null) return null;
  const a = comparable(left, type);
  const b = comparable(right, type);
  switch (operator) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
  }
}

function truth(expression: FilterExpression, row: RowValues, schema: FilterSchema): Truth {
  switch (expression.kind) {
    case 'and': {
      const left = truth(expression.left, row, schema);
      if (left === false) return false;
      const right = truth(expression.right, row, schema);
      if (right === false) return false;
      return left === null || right === null ? null : true;
    }
    case 'or': {
      const left = truth(expression.left, row, schema);
      if (left === true) return true;
      const right = truth(expression.right, row, schema);
      if (right === true) return true;
      return left === null || right === null ? null : false;
    }
    case 'not': {
      const inner = truth(expression.operand, row, schema);
      return inner === null ? null : !inner;
    }
    case 'booleanProperty': {
      const value = row(expression.path);
      return value === null ? null : value === true;
    }
    case 'stringFunction': {
      const value = row(expression.path);
      if (value === null) return null;
      return likePattern(expression.value, expression.name).test(String(value));
    }
    case 'compare': {
      const { left, right } = expression;
      const type = left.kind === 'property' ? schema.typeOf(left.path) : operandType(right, schema);
      const leftValue = left.kind === 'property' ? row(left.path) : literalValue(left.literal);
      const rightValue = right.kind === 'property' ? row(right.path) : literalValue(right.literal);
      if (isNullLiteral(left) || isNullLiteral(right)) {
        // `eq null` / `ne null` become IS NULL / IS NOT NULL; other operators against null are unknown.
        const bothNull = leftValue === null && rightValue === null;
        if (expression.operator === 'eq') return bothNull;
        if (expression.operator === 'ne') return !bothNull;
        return null;
      }
      return compare(expression.operator, leftValue, rightValue, type);
    }
  }
}

/** True only when the expression is true for the row: false and unknown (null) both leave the row out. */
export function evaluateFilter(expression: FilterExpression, row: RowValues, schema: FilterSchema): boolean {
  return truth(expression, row, schema) === true;
}
