// The part of java.text.SimpleDateFormat that Kafka's perf tools use for their time columns
// (default `yyyy-MM-dd HH:mm:ss:SSS`), in local time: letters y M d H h m s S a E, 'quoted text'.
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Field = (d: Date, width: number) => string;

const num = (get: (d: Date) => number): Field => (d, width) => String(get(d)).padStart(width, '0');
const name = (names: string[], get: (d: Date) => number): Field => (d, width) => (width >= 4 ? names[get(d)] : names[get(d)].slice(0, 3));

const FIELDS: Record<string, Field> = {
  // yy is the year's last two digits; any other width pads the full year.
  y: (d, width) => (width === 2 ? String(d.getFullYear() % 100).padStart(2, '0') : String(d.getFullYear()).padStart(width, '0')),
  M: (d, width) => (width >= 3 ? name(MONTHS, (x) => x.getMonth())(d, width) : num((x) => x.getMonth() + 1)(d, width)),
  d: num((x) => x.getDate()),
  H: num((x) => x.getHours()),
  h: num((x) => x.getHours() % 12 || 12),
  m: num((x) => x.getMinutes()),
  s: num((x) => x.getSeconds()),
  S: num((x) => x.getMilliseconds()),
  a: (d) => (d.getHours() < 12 ? 'AM' : 'PM'),
  E: name(DAYS, (x) => x.getDay()),
};

/** A formatter for `pattern`; throws naming a pattern letter it does not support. */
export function simpleDateFormat(pattern: string): (ms: number) => string {
  const parts: (string | [Field, number])[] = [];
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i];
    if (c === "'") {
      // 'text' is literal; '' is a quote.
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new Error(`date format '${pattern}': unterminated quote`);
      parts.push(end === i + 1 ? "'" : pattern.slice(i + 1, end));
      i = end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      const field = FIELDS[c];
      if (!field) throw new Error(`date format '${pattern}': pattern letter '${c}' is not supported`);
      parts.push([field, j - i]);
      i = j;
    } else {
      parts.push(c);
      i++;
    }
  }
  return (ms) => {
    const date = new Date(ms);
    return parts.map((p) => (typeof p === 'string' ? p : p[0](date, p[1]))).join('');
  };
}
