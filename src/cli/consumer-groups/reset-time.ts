// The two time formats of `--reset-offsets`: --to-datetime as Kafka's
// Utils.getDateTime reads it (yyyy-MM-dd'T'HH:mm:ss.SSS, UTC unless a zone
// is given), and --by-duration as java.time.Duration.parse reads it (PnDTnHnMnS).

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})(Z|[+-]\d{2}(?::?\d{2})?)$/;

/** Milliseconds since the epoch of a --to-datetime value; throws Kafka's parse messages. */
export function parseDateTime(text: string): number {
  const parts = text.split('T');
  if (parts.length < 2) throw new Error("Error parsing timestamp. It does not contain a 'T' according to ISO8601 format");
  // Without a zone the time is UTC (Kafka appends 'Z').
  const withZone = /[+\-Z]/.test(parts[1]) ? text : `${text}Z`;
  const m = DATE_TIME.exec(withZone);
  const unparseable = new Error(`Unparseable date: "${withZone}"`);
  if (!m) throw unparseable;
  const [year, month, day, hour, minute, second, millis] = m.slice(1, 8).map(Number);
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Strict like SimpleDateFormat with setLenient(false): no month 13, no February 30th, no hour 24.
  const check = new Date(local);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day
    || check.getUTCHours() !== hour || check.getUTCMinutes() !== minute || check.getUTCSeconds() !== second) {
    throw unparseable;
  }
  return local - zoneOffsetMs(m[8]);
}

function zoneOffsetMs(zone: string): number {
  if (zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2)) : 0);
  return (zone[0] === '-' ? -1 : 1) * minutes * 60_000;
}

// java.time.Duration's ISO-8601 form: an optional sign, P, days, then T with hours, minutes, seconds (each signed).
const DURATION = /^([-+]?)P(?:([-+]?\d+)D)?(T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i;

/** Milliseconds of a --by-duration value; throws Java's message for a malformed one. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text);
  const days = m?.[2];
  const time = m?.[3];
  const [hours, minutes, seconds, fraction] = [m?.[4], m?.[5], m?.[6], m?.[7]];
  // "P" alone, or a "T" with nothing after it, is not a duration.
  if (!m || (days === undefined && time === undefined) || time?.toUpperCase() === 'T') {
    throw new Error(`Text cannot be parsed to a Duration: ${text}`);
  }
  const secondsSign = seconds?.startsWith('-') ? -1 : 1;
  const fractionMs = fraction ? secondsSign * Math.trunc(Number(`0.${fraction}`) * 1000) : 0;
  const total = (Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0)) * 1000 + fractionMs;
  return m[1] === '-' ? -total : total;
}
