// The live event log with filters: by type (chips for every type seen so far), connection changes on or off,
// and free text. Newest first; the DOM carries data attributes (type, event id, seq) for tests and scripts.
import { useMemo, useState, useSyncExternalStore } from 'react';
import { HIDDEN_BY_DEFAULT, matches, type EventLogStore, type LogFilter } from './log.js';

const RENDERED = 400;

const time = (at: number) => {
  const d = new Date(at);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
};

export function EventLog({ store }: { store: EventLogStore }): JSX.Element {
  const entries = useSyncExternalStore(store.subscribe, store.getEntries, store.getEntries);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(() => new Set(HIDDEN_BY_DEFAULT));
  const [showConnection, setShowConnection] = useState(true);
  const [text, setText] = useState('');
  const types = useMemo(() => [...new Set(entries.filter((e) => e.kind !== 'connection').map((e) => e.type))].sort(), [entries]);
  const filter: LogFilter = { hiddenTypes: hidden, showConnection, text };
  const shown = entries.filter((entry) => matches(entry, filter));
  const toggle = (type: string) =>
    setHidden((current) => {
      const next = new Set(current);
      if (next.has(type)) next.delete(type);
      else next.add(type);
      return next;
    });
  return (
    <section className="card wide" aria-labelledby="log-title">
      <h2 id="log-title">
        Event log <small>{shown.length} shown of {entries.length}{store.droppedCount ? ` (${store.droppedCount} oldest dropped)` : ''}</small>
      </h2>
      <div className="filters" role="group" aria-label="Filters">
        <input type="search" placeholder="filter: text, event id, pod" value={text} onChange={(e) => setText(e.target.value)} aria-label="Filter text" />
        <label className="chip">
          <input type="checkbox" checked={showConnection} onChange={(e) => setShowConnection(e.target.checked)} /> connection
        </label>
        {types.map((type) => (
          <label key={type} className="chip" data-filter-type={type}>
            <input type="checkbox" checked={!hidden.has(type)} onChange={() => toggle(type)} /> {type}
          </label>
        ))}
        <button type="button" onClick={() => store.clear()}>
          Clear
        </button>
      </div>
      <ol id="event-log" className="log" data-count={entries.length} reversed>
        {shown
          .slice(-RENDERED)
          .reverse()
          .map((e) => (
            <li key={e.seq} data-seq={e.seq} data-kind={e.kind} data-type={e.type} data-event-id={e.eventId ?? ''} data-pod={e.pod ?? ''} className={`entry ${e.kind}`}>
              <time>{time(e.at)}</time>
              <span className="type">{e.type}</span>
              <span className="summary">{e.summary}</span>
              <span className="meta">
                {e.pod ? `${e.pod}` : ''}
                {e.eventId ? ` · ${e.eventId.slice(0, 8)}` : ''}
              </span>
            </li>
          ))}
      </ol>
    </section>
  );
}
