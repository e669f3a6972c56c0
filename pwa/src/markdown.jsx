// Articles are Markdown. This renders the common part of it (headings, paragraphs, lists, tables, quotes,
// code, bold, italics, links) as elements, never as HTML strings, so an article cannot inject markup.

function inline(text) {
  const out = [];
  const pattern = /(\*\*([^*]+)\*\*|__([^_]+)__|\*([^*]+)\*|`([^`]+)`|\[([^\]]+)\]\((https?:\/\/[^)\s]+)\))/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[2] || m[3]) out.push(<strong>{m[2] || m[3]}</strong>);
    else if (m[4]) out.push(<em>{m[4]}</em>);
    else if (m[5]) out.push(<code>{m[5]}</code>);
    else if (m[6]) out.push(<a href={m[7]} target="_blank" rel="noopener">{m[6]}</a>);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const cells = (line) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());

export function Markdown({ text }) {
  const lines = (text || '').replace(/\r\n/g, '\n').split('\n');
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      // Article headings sit under the page's h1 and the article's h2.
      const Tag = `h${Math.min(6, heading[1].length + 2)}`;
      blocks.push(<Tag>{inline(heading[2])}</Tag>);
      i++;
      continue;
    }
    if (/^\s*(```|~~~)/.test(line)) {
      const body = [];
      i++;
      while (i < lines.length && !/^\s*(```|~~~)/.test(lines[i])) body.push(lines[i++]);
      i++;
      blocks.push(<pre><code>{body.join('\n')}</code></pre>);
      continue;
    }
    if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) {
      const head = cells(line);
      i += 2;
      const rows = [];
      while (i < lines.length && /^\s*\|/.test(lines[i])) rows.push(cells(lines[i++]));
      blocks.push(
        <div class="table-wrap">
          <table>
            <thead><tr>{head.map((c) => <th scope="col">{inline(c)}</th>)}</tr></thead>
            <tbody>{rows.map((r) => <tr>{r.map((c) => <td>{inline(c)}</td>)}</tr>)}</tbody>
          </table>
        </div>,
      );
      continue;
    }
    if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items = [];
      while (i < lines.length && /^\s*([-*+]|\d+[.)])\s+/.test(lines[i])) {
        items.push(<li>{inline(lines[i].replace(/^\s*([-*+]|\d+[.)])\s+/, ''))}</li>);
        i++;
      }
      blocks.push(ordered ? <ol>{items}</ol> : <ul>{items}</ul>);
      continue;
    }
    if (/^\s*>/.test(line)) {
      const quote = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) quote.push(lines[i++].replace(/^\s*>\s?/, ''));
      blocks.push(<blockquote>{inline(quote.join(' '))}</blockquote>);
      continue;
    }
    const para = [];
    while (i < lines.length && lines[i].trim() && !/^(#{1,6}\s|\s*([-*+]|\d+[.)])\s|\s*>|\s*\||\s*```)/.test(lines[i])) {
      para.push(lines[i++].trim());
    }
    if (!para.length) para.push(lines[i++].trim());
    blocks.push(<p>{inline(para.join(' '))}</p>);
  }
  return <div class="prose">{blocks}</div>;
}

/** A search snippet: HTML-escaped text with <mark> around hits, rendered without innerHTML. */
export function Snippet({ html }) {
  const decode = (s) =>
    s.replace(/&(lt|gt|quot|#x27|#39|amp);/g, (_, e) => ({ lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'", amp: '&' })[e]);
  const parts = (html || '').split(/<mark>|<\/mark>/);
  return (
    <span>
      {parts.map((p, i) => (i % 2 ? <mark>{decode(p)}</mark> : decode(p)))}
    </span>
  );
}
