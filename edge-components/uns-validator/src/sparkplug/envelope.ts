import type { VerdictError } from '../verdict';
import { ASSERTION, ruleError, type SparkplugAssertion } from './assertions';
import type { DecodedPayload } from './decode';
import type { SparkplugMessageType } from './topic';

/** The payload-level rules of one message type that need no session state. */
interface EnvelopeRules {
  /** The payload timestamp is required (a MUST for every type but NDEATH). */
  readonly timestamp: SparkplugAssertion | undefined;
  /** Whether seq must be present or absent. */
  readonly seq: 'required' | 'forbidden';
  /** Cited when seq is missing (required) or present (forbidden). */
  readonly seqPresence: SparkplugAssertion;
  /** Cited when seq is outside 0..255, and for increments in the session rules. */
  readonly seqRange: SparkplugAssertion;
}

/** The envelope rules per message type. */
export const ENVELOPE_RULES: Readonly<Record<SparkplugMessageType, EnvelopeRules>> = {
  NBIRTH: {
    timestamp: ASSERTION.nbirthTimestamp,
    seq: 'required',
    seqPresence: ASSERTION.nbirthSeq,
    seqRange: ASSERTION.nbirthSeq,
  },
  NDATA: {
    timestamp: ASSERTION.ndataTimestamp,
    seq: 'required',
    seqPresence: ASSERTION.ndataSeq,
    seqRange: ASSERTION.ndataSeqInc,
  },
  DBIRTH: {
    timestamp: ASSERTION.dbirthTimestamp,
    seq: 'required',
    seqPresence: ASSERTION.dbirthSeq,
    seqRange: ASSERTION.dbirthSeqInc,
  },
  DDATA: {
    timestamp: ASSERTION.ddataTimestamp,
    seq: 'required',
    seqPresence: ASSERTION.ddataSeq,
    seqRange: ASSERTION.ddataSeqInc,
  },
  DDEATH: {
    timestamp: ASSERTION.ddeathTimestamp,
    seq: 'required',
    seqPresence: ASSERTION.ddeathSeq,
    seqRange: ASSERTION.ddeathSeqInc,
  },
  NDEATH: {
    timestamp: undefined,
    seq: 'forbidden',
    seqPresence: ASSERTION.ndeathSeq,
    seqRange: ASSERTION.ndeathSeq,
  },
  NCMD: {
    timestamp: ASSERTION.ncmdTimestamp,
    seq: 'forbidden',
    seqPresence: ASSERTION.ncmdSeq,
    seqRange: ASSERTION.ncmdSeq,
  },
  DCMD: {
    timestamp: ASSERTION.dcmdTimestamp,
    seq: 'forbidden',
    seqPresence: ASSERTION.dcmdSeq,
    seqRange: ASSERTION.dcmdSeq,
  },
};

/**
 * Checks the payload timestamp and the presence and range of seq. Returns the seq when the message
 * type carries one and it is valid (0..255), otherwise undefined.
 */
export function checkEnvelope(
  type: SparkplugMessageType,
  payload: DecodedPayload,
  errors: VerdictError[],
): number | undefined {
  const rules = ENVELOPE_RULES[type];
  if (rules.timestamp !== undefined && payload.timestamp === undefined) {
    errors.push(ruleError('/timestamp', `${type} payloads must have a timestamp`, rules.timestamp));
  }
  const { seq } = payload;
  if (rules.seq === 'forbidden') {
    if (seq !== undefined) {
      errors.push(ruleError('/seq', `${type} payloads must not have a seq`, rules.seqPresence));
    }
    return undefined;
  }
  if (seq === undefined) {
    errors.push(ruleError('/seq', `${type} payloads must have a seq`, rules.seqPresence));
    return undefined;
  }
  if (seq > 255) {
    errors.push(ruleError('/seq', `seq must be between 0 and 255, got ${seq}`, rules.seqRange));
    return undefined;
  }
  return seq;
}
