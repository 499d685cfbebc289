/**
 * Readable messages for every error code the two APIs return (`errors[].extensions.code`).
 * The map is typed by the codes generated from both SDLs, so a code added to a schema fails the
 * type check until it has a message here.
 */
import { CombinedGraphQLErrors, ServerError } from '@apollo/client';
import type { ErrorCode as AdminErrorCode } from './generated/admin-enums';
import type { ErrorCode as CustomerErrorCode } from './generated/customer-enums';

export type ErrorCode = AdminErrorCode | CustomerErrorCode;

const MESSAGES: Record<ErrorCode, string> = {
  ACCOUNTING_CONFIG_INVALID: 'The base configuration of the books was refused; nothing changed.',
  ACCOUNTING_NOT_CONFIGURED: 'The books have no base configuration yet (categories, retained earnings, inception date): set it on the chart of accounts page.',
  ACCOUNT_CLOSED: 'This deposit account is closed; nothing can change on it any more.',
  ACCOUNT_FROZEN: 'This deposit account is frozen: no money moves in or out until it is unfrozen.',
  ACCOUNT_HAS_BALANCE: 'The account still holds money (or amounts held for withdrawals); it can only close at a zero balance.',
  ALREADY_VOTED: 'You already voted otherwise on this approval; each member votes once.',
  APPROVAL_PROCESS_CONCLUDED: 'This approval is already decided; it takes no more votes.',
  BAD_REQUEST: 'The request was malformed. Reload the page and try again.',
  BATCH_NOT_SUPPORTED: 'The request was malformed (a batch). Reload the page and try again.',
  BEFORE_INCEPTION: 'The effective date is before the bank\u2019s inception date; nothing is posted before the books start.',
  CHART_CSV_INVALID: 'The chart file was refused whole; nothing was imported.',
  CHART_NODE_EXISTS: 'A node with this code already exists in the chart with another name, normal balance or parent.',
  CHART_NODE_NOT_FOUND: 'No node of the chart of accounts has this code (or the new node\u2019s parent is missing).',
  CLOCK_NOT_MANUAL: 'The bank runs on the real clock; only a manual clock can be advanced.',
  COLLATERAL_FROM_CUSTODIAN: 'This facility\u2019s collateral is held in a custodian\u2019s wallet and follows what the custodian reports; it cannot be updated by hand.',
  COMMITTEE_NAME_TAKEN: 'Another committee already has this name.',
  COMMITTEE_WOULD_BE_EMPTY: 'A committee keeps at least one member: add another member before removing the last.',
  CONCURRENT_MODIFICATION: 'Someone changed this at the same moment; nothing was changed. Try again.',
  CUSTODIAN_BAD_RESPONSE: 'The custodian (or the block explorer) answered with something other than its documented response; nothing was changed.',
  CUSTODIAN_NAME_TAKEN: 'Another custodian already has this name.',
  CUSTODIAN_REJECTED: 'The custodian refused the request (check the access credentials, the enterprise or wallet, and the coin).',
  CUSTODIAN_UNAVAILABLE: 'The custodian (or the block explorer) is not answering. Try again later.',
  CUSTODIAN_WEBHOOK_MALFORMED: 'The custodian\u2019s webhook is correctly signed, but it is not a notification the bank reads.',
  CUSTODIAN_WEBHOOK_SIGNATURE_INVALID: 'The custodian\u2019s webhook signature does not match its body under the webhook secret (or it is too old); nothing was applied.',
  CUSTODIAN_WEBHOOK_SIGNATURE_MISSING: 'The custodian\u2019s webhook carried no signature or timestamp; nothing was applied.',
  CUSTODIAN_WITHOUT_WEBHOOKS: 'This custodian sends no webhooks: self-custody balances are read from a block explorer, and manual custody is recorded by staff.',
  CUSTODY_ENCRYPTION_KEY_MISSING: 'No custody encryption key is configured, so custodian secrets can be neither stored nor read; an operator must configure one.',
  CUSTODY_SECRETS_UNREADABLE: 'The custodian\u2019s stored secrets do not open with the configured key (it was rotated, or is wrong); an operator must configure the current key.',
  CUSTOMER_CLOSED: 'This customer is closed; nothing about them can change any more.',
  CUSTOMER_NOT_ACTIVE: 'The customer is frozen or closed: no account can be opened and no credit proposed.',
  DEPOSIT_ACCOUNT_OF_ANOTHER_CUSTOMER: 'That deposit account belongs to another customer.',
  DISBURSAL_BELOW_MARGIN_CALL: 'After this disbursal the collateral would fall under the margin-call level; add collateral first.',
  DISBURSAL_EXCEEDS_FACILITY: 'The disbursal is more than what remains of the facility.',
  EMAIL_TAKEN: 'Another record already uses this email address.',
  EXPORT_NOT_READY: 'The export has no file yet: it is still being written, or it failed (its status says which).',
  FACILITY_MATURED: 'The facility has reached its maturity date; nothing more is disbursed.',
  FORBIDDEN: 'You are signed in, but the bank does not know you here. Ask an administrator for access.',
  GRAPHQL_PARSE_FAILED: 'The app sent a request the bank could not read. Reload the page; if it persists, report it.',
  GRAPHQL_VALIDATION_FAILED: 'The app and the bank disagree on the API (an update in progress?). Reload the page.',
  IDEMPOTENCY_KEY_REUSED: 'This submission clashes with an earlier, different one. Reload the form and submit again.',
  INSUFFICIENT_BALANCE: 'The account has too little available for this.',
  INTERNAL: 'Something went wrong at the bank. Nothing was shown; quote the reference below to support.',
  INTROSPECTION_DISABLED: 'Schema introspection is switched off on this server.',
  INVALID_CURSOR: 'This list changed; go back to its first page.',
  INVALID_FACILITY_TRANSITION: 'The credit facility is not in a state that allows this step.',
  INVALID_IDEMPOTENCY_KEY: 'The submission carried an invalid idempotency key. Reload the form and submit again.',
  INVALID_INPUT: 'Some input is not valid.',
  INVALID_PAYMENT_DATE: 'The payment date must be today (business date) or earlier, and not before activation.',
  INVALID_TERMS: 'The terms are not valid.',
  INVALID_WITHDRAWAL_TRANSITION: 'The withdrawal is not in a state that allows this step.',
  KYC_PROVIDER_BAD_RESPONSE: 'The KYC provider answered with something unexpected. Try again later.',
  KYC_PROVIDER_MISCONFIGURED: 'The KYC provider is misconfigured; an operator must fix its settings.',
  KYC_PROVIDER_NOT_CONFIGURED: 'No KYC provider is configured, so verification links cannot be made.',
  KYC_PROVIDER_REJECTED: 'The KYC provider refused the request.',
  KYC_PROVIDER_UNAVAILABLE: 'The KYC provider is not answering. Try again later.',
  LEDGER_ACCOUNT_REFUSED: 'A ledger account of the entries cannot take this posting (it is a set, it is locked, or it may not go below zero).',
  MANUAL_CONVERSION_DISABLED: 'Converting without KYC approval is switched off (setting customer-manual-conversion-allowed).',
  MODULE_ALREADY_ATTACHED: 'This account set is already attached under another chart node.',
  NORMAL_BALANCE_MISMATCH: 'The account set and the chart node have different normal balances; attach it under a node on its side.',
  NOT_AN_ELIGIBLE_VOTER: 'Only the committee members at the time the approval started may vote on it.',
  NOT_AUTHORIZED: 'Your role does not allow this. The attempt was recorded in the audit log.',
  NOT_A_COMMITTEE_MEMBER: 'This staff user is not a member of the committee.',
  NOT_FOUND: 'Not found, or not visible to you.',
  PAYLOAD_TOO_LARGE: 'The request is too large.',
  PAYMENT_EXCEEDS_OUTSTANDING: 'The payment is more than everything owed on the facility.',
  PERIOD_CLOSED: 'The effective date is in a closed accounting period: nothing can be posted there any more.',
  PERIOD_NOT_ENDED: 'The period has not ended yet, or the end-of-day work of its last day is not done.',
  PERIOD_NOT_NEXT: 'Periods close in order: an earlier month (or year) is still open.',
  PREDEFINED_ROLE: 'Predefined roles cannot be changed; create a new role instead.',
  PRICE_UNAVAILABLE: 'The bank has no current bitcoin price, so collateral cannot be valued now. Try again shortly.',
  PROSPECT_ALREADY_CONVERTED: 'This prospect is already a customer.',
  QUERY_TOO_COMPLEX: 'The page asked for too much at once. Show fewer rows.',
  QUERY_TOO_DEEP: 'The page asked for data nested too deeply.',
  ROLE_NAME_TAKEN: 'Another role already has this name.',
  SINGLE_DISBURSAL_FACILITY: 'This facility pays out its whole amount at activation; it takes no other disbursal.',
  TEMPLATE_NAME_TAKEN: 'Another terms template already has this name.',
  TRANSACTION_UNBALANCED: 'The debits and credits differ in a currency; a transaction must balance.',
  UNAUTHENTICATED: 'Your session has ended. Sign in again.',
  UNKNOWN_PERMISSION_SET: 'There is no permission set with this name.',
  UNKNOWN_SETTING: 'There is no setting with this key.',
  WEBHOOK_MALFORMED: 'The webhook body is not the provider\u2019s payload.',
  WEBHOOK_SECRET_NOT_CONFIGURED: 'No webhook secret is configured.',
  WEBHOOK_SIGNATURE_ALGORITHM_UNSUPPORTED: 'The webhook\u2019s signature algorithm is not supported.',
  WEBHOOK_SIGNATURE_INVALID: 'The webhook\u2019s signature does not match its body.',
  WEBHOOK_SIGNATURE_MISSING: 'The webhook carries no signature.',
  WITHDRAWAL_NOT_APPROVED: 'The withdrawal is still waiting for approval; confirm it once approved.',
  YEAR_CLOSE_REQUIRED: 'December closes with its year: close the year instead, which also moves the year\u2019s result to retained earnings.',
};

/** Codes whose server message carries the detail a person needs (which field, how much). */
const WITH_DETAIL = new Set<ErrorCode>([
  'INVALID_INPUT', 'INVALID_TERMS', 'PAYMENT_EXCEEDS_OUTSTANDING', 'KYC_PROVIDER_REJECTED',
  // accounting: which line of the file, which code, which dates, which currency
  'CHART_CSV_INVALID', 'CHART_NODE_EXISTS', 'CHART_NODE_NOT_FOUND', 'ACCOUNTING_CONFIG_INVALID', 'NORMAL_BALANCE_MISMATCH',
  'MODULE_ALREADY_ATTACHED', 'PERIOD_CLOSED', 'BEFORE_INCEPTION', 'TRANSACTION_UNBALANCED', 'LEDGER_ACCOUNT_REFUSED',
  'PERIOD_NOT_NEXT', 'PERIOD_NOT_ENDED',
  // custody: what the custodian answered (never a secret)
  'CUSTODIAN_REJECTED', 'CUSTODIAN_UNAVAILABLE', 'CUSTODIAN_BAD_RESPONSE',
]);

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(MESSAGES, code);
}

export function messageForCode(code: ErrorCode): string {
  return MESSAGES[code];
}

/** Every code of both APIs. */
export function errorCodes(): ErrorCode[] {
  return Object.keys(MESSAGES) as ErrorCode[];
}

export interface ReadableError {
  code: string | null;
  message: string;
  /** The request's correlation id, to quote to support. */
  reference: string | null;
}

interface WireError {
  message?: string;
  extensions?: { code?: unknown; correlationId?: unknown };
}

function readable(error: WireError): ReadableError {
  const code = error.extensions?.code;
  const reference = typeof error.extensions?.correlationId === 'string' ? error.extensions.correlationId : null;
  if (isErrorCode(code)) {
    const detail = WITH_DETAIL.has(code) && error.message ? ` ${error.message}` : '';
    return { code, message: MESSAGES[code] + detail, reference };
  }
  return { code: typeof code === 'string' ? code : null, message: error.message || 'The request failed.', reference };
}

/** What to tell a person about a failed query or mutation (one entry per error). */
export function describeError(error: unknown): ReadableError[] {
  if (CombinedGraphQLErrors.is(error)) return error.errors.map((e) => readable(e as WireError));
  if (ServerError.is(error)) {
    try {
      const body = JSON.parse(error.bodyText) as { errors?: WireError[] };
      if (body.errors?.length) return body.errors.map(readable);
    } catch {
      // not JSON: fall through to the status
    }
    return [{ code: null, message: `The bank answered with HTTP ${error.statusCode}. Try again.`, reference: null }];
  }
  return [{ code: null, message: 'The bank could not be reached. Check the connection and try again.', reference: null }];
}

/** Whether the error means the session is gone (the app then returns to the login). */
export function isUnauthenticated(error: unknown): boolean {
  if (ServerError.is(error) && error.statusCode === 401) return true;
  return describeError(error).some((e) => e.code === 'UNAUTHENTICATED');
}
