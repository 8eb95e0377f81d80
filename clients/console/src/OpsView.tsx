// The ops view: an operator with an admin JWT (groups holding the gateway's admin role) sees every pod, the
// deliveries/s and sessions over the last minutes, and one user across the cluster: sessions, recently
// closed sessions with the reason, and a delivery trace. Everything comes from the gateway's admin API
// (docs/admin-api.md); the gateway decides who may see it, and answers carry no IPs, headers or payloads.
import { useEffect, useRef, useState } from 'react';
import { AdminApi, type EventAnswer, type Pod, type TraceAnswer, type UserAnswer } from './admin.js';
import { LineChart } from './Chart.js';
import { EventTypes } from './EventTypes.js';
import type { ConsoleConfig } from './config.js';
import { describeFailure, type Answer } from './http.js';
import { addPoll, WINDOW_MS, type History } from './series.js';
import { parseToken } from './token.js';

const ADMIN_TOKEN_KEY = 'kull-console-admin-token';

const clock = (at: number | undefined) => (at ? new Date(at).toLocaleTimeString([], { hour12: false }) : '—');
const age = (seconds: number) => (seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : seconds >= 60 ? `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s` : `${Math.round(seconds)} s`);
const bytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

function Failure({ answer }: { answer: Answer<unknown> | undefined }): JSX.Element | null {
  if (!answer || answer.ok) return null;
  return (
    <p role="alert" className="failure" data-status={answer.status}>
      {describeFailure(answer)}
    </p>
  );
}

function PodsTable({ pods }: { pods: Pod[] }): JSX.Element {
  return (
    <table id="pods" data-count={pods.length}>
      <thead>
        <tr>
          <th>pod</th>
          <th>version</th>
          <th>up</th>
          <th>state</th>
          <th>sessions</th>
          <th>replay window</th>
          <th>consumer lag</th>
          <th>deliveries</th>
          <th>heartbeat</th>
        </tr>
      </thead>
      <tbody>
        {pods.map((p) => (
          <tr key={p.podId} data-pod-id={p.podId} data-draining={p.draining} data-sessions={p.sessions}>
            <td>{p.podId}</td>
            <td>{p.version}</td>
            <td>{age(p.uptimeSeconds)}</td>
            <td>{p.draining ? 'draining' : 'serving'}</td>
            <td>{p.sessions}</td>
            <td>
              {p.replayWindow ? `${p.replayWindow.records} records, ${bytes(p.replayWindow.bytes)}, oldest ${age(p.replayWindow.oldestAgeSeconds)}` : '—'}
            </td>
            <td>{p.consumerLag}</td>
            <td>{p.deliveriesTotal}</td>
            <td>{clock(p.lastHeartbeatAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Trace({ api, userId }: { api: AdminApi; userId: string }): JSX.Element {
  const [seconds, setSeconds] = useState(60);
  const [started, setStarted] = useState<Answer<{ expiresAt: number }> | undefined>();
  const [trace, setTrace] = useState<Answer<TraceAnswer> | undefined>();
  const load = async () => setTrace(await api.trace(userId));
  const active = trace?.body?.active ?? (started?.ok && started.body ? started.body.expiresAt > Date.now() : false);
  // While a trace runs, its entries are refreshed every 2 s.
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => void load(), 2000);
    return () => clearInterval(timer);
  }, [active, api, userId]);
  const entries = trace?.body?.entries ?? [];
  return (
    <div data-testid="trace" data-active={active}>
      <h3>Delivery trace</h3>
      <div className="inline">
        <input type="number" min={1} value={seconds} onChange={(e) => setSeconds(Number(e.target.value))} aria-label="Trace seconds" />
        <button
          type="button"
          id="start-trace"
          onClick={async () => {
            const answer = await api.startTrace(userId, seconds);
            setStarted(answer);
            if (answer.ok) await load();
          }}
        >
          Start trace
        </button>
        <button type="button" onClick={() => void load()}>
          Show trace
        </button>
        {trace?.body ? (
          <span className="muted">
            {trace.body.active ? `active until ${clock(trace.body.expiresAt ?? undefined)}` : 'not active'}
            {trace.body.partial ? ' · partial: not every pod answered' : ''}
          </span>
        ) : null}
      </div>
      <Failure answer={started} />
      <Failure answer={trace} />
      {entries.length ? (
        <table id="trace-entries" data-count={entries.length}>
          <thead>
            <tr>
              <th>routed</th>
              <th>pod</th>
              <th>outcome</th>
              <th>type</th>
              <th>event</th>
              <th>topic/partition@offset</th>
              <th>sessions</th>
              <th>acknowledged</th>
              <th>lag</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={`${e.podId}-${e.eventId}-${i}`} data-outcome={e.outcome} data-event-id={e.eventId}>
                <td>{clock(e.routedAt)}</td>
                <td>{e.podId}</td>
                <td className={`outcome ${e.outcome}`}>{e.outcome}</td>
                <td>{e.type}</td>
                <td title={e.eventId}>{e.eventId.slice(0, 8)}</td>
                <td>
                  {e.topic}/{e.partition}@{e.offset}
                </td>
                <td>{e.sessionIds.length}</td>
                <td className="acknowledged">{e.acknowledged == null ? '—' : e.acknowledged ? 'yes' : 'no'}</td>
                <td>{e.routedAt - e.recordTimestamp} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function UserInspector({ api, initialUser, refreshMs }: { api: AdminApi; initialUser: string; refreshMs: number }): JSX.Element {
  const [draft, setDraft] = useState(initialUser);
  const [userId, setUserId] = useState<string | undefined>();
  const [answer, setAnswer] = useState<Answer<UserAnswer> | undefined>();
  const [live, setLive] = useState(true);
  const [eventId, setEventId] = useState('');
  const [event, setEvent] = useState<Answer<EventAnswer> | undefined>();
  useEffect(() => setDraft((d) => d || initialUser), [initialUser]);
  const inspect = async (id: string) => {
    setUserId(id);
    setAnswer(await api.user(id));
  };
  // Live: the user's sessions come and go (and a partial answer fills in), so the answer is asked for again.
  useEffect(() => {
    if (!live || !userId) return undefined;
    const timer = setInterval(() => void api.user(userId).then(setAnswer), refreshMs);
    return () => clearInterval(timer);
  }, [api, userId, live, refreshMs]);
  const user = answer?.body;
  return (
    <section className="card wide" aria-labelledby="inspector-title">
      <h2 id="inspector-title">User inspector</h2>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.trim()) void inspect(draft.trim());
        }}
      >
        <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="userId" aria-label="User id to inspect" id="inspect-user" />
        <button type="submit">Inspect</button>
        <label className="chip">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> live
        </label>
      </form>
      <Failure answer={answer} />
      {user ? (
        <div data-testid="user-answer" data-user={user.userId} data-partial={user.partial}>
          <p className="muted">
            asked {user.podsAsked.join(', ') || '—'} · answered {user.podsAnswered.join(', ') || '—'}
            {user.partial ? ' · PARTIAL: some pods did not answer in time' : ''}
          </p>
          <h3>Sessions ({user.sessions.length})</h3>
          <table id="user-sessions" data-count={user.sessions.length}>
            <thead>
              <tr>
                <th>pod</th>
                <th>device</th>
                <th>platform</th>
                <th>endpoint</th>
                <th>since</th>
                <th>resumed</th>
                <th>pending</th>
                <th>rate-limit hits</th>
                <th>last in / out</th>
                <th>acknowledged up to</th>
              </tr>
            </thead>
            <tbody>
              {user.sessions.map((s) => (
                <tr key={`${s.podId}-${s.sessionId}`} data-pod-id={s.podId} data-device-id={s.deviceId}>
                  <td>{s.podId}</td>
                  <td>{s.deviceId}</td>
                  <td>{s.platform}</td>
                  <td>{s.endpoint}</td>
                  <td>{clock(s.connectedAt)}</td>
                  <td>{s.resumed ? 'yes' : 'no'}</td>
                  <td>{bytes(s.pendingBytes)}</td>
                  <td>{s.rateLimitHits}</td>
                  <td>
                    {clock(s.lastFrameInAt)} / {clock(s.lastFrameOutAt)}
                  </td>
                  <td className="acked" title={s.ackedCursor ?? ''}>
                    {s.ackedAt ? clock(s.ackedAt) : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Acknowledged cursors ({(user.devices ?? []).length})</h3>
          <table id="user-acked" data-count={(user.devices ?? []).length}>
            <thead>
              <tr>
                <th>device</th>
                <th>acknowledged at</th>
                <th>cursor</th>
              </tr>
            </thead>
            <tbody>
              {(user.devices ?? []).map((d) => (
                <tr key={d.deviceId} data-device-id={d.deviceId}>
                  <td>{d.deviceId}</td>
                  <td>{clock(d.ackedAt)}</td>
                  <td>
                    <code>{d.ackedCursor}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Recently closed ({user.recentlyClosed.length})</h3>
          <table id="user-closed" data-count={user.recentlyClosed.length}>
            <thead>
              <tr>
                <th>closed</th>
                <th>pod</th>
                <th>device</th>
                <th>code</th>
                <th>why</th>
                <th>connected</th>
              </tr>
            </thead>
            <tbody>
              {user.recentlyClosed.map((c) => (
                <tr key={`${c.podId}-${c.sessionId}`} data-code={c.code} data-pod-id={c.podId}>
                  <td>{clock(c.closedAt)}</td>
                  <td>{c.podId}</td>
                  <td>{c.deviceId}</td>
                  <td>{c.code}</td>
                  <td>{c.reason}</td>
                  <td>{clock(c.connectedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" onClick={() => userId && void inspect(userId)}>
            Refresh
          </button>
        </div>
      ) : null}
      {userId ? <Trace key={userId} api={api} userId={userId} /> : null}
      <h3>Where did an event go?</h3>
      <form
        className="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (eventId.trim()) setEvent(await api.event(eventId.trim()));
        }}
      >
        <input value={eventId} onChange={(e) => setEventId(e.target.value)} placeholder="event id (from the event log)" aria-label="Event id" />
        <button type="submit">Find</button>
      </form>
      <Failure answer={event} />
      {event?.body ? (
        <p data-testid="event-answer" data-found={event.body.found}>
          {event.body.found
            ? `${event.body.type} for ${event.body.userId} at ${event.body.topic}/${event.body.partition}@${event.body.offset}, in the replay window of ${(event.body.pods ?? []).map((p) => `${p.podId} (reached ${p.sessionsReached} sessions)`).join(', ') || '—'}`
            : 'not in any replay window (older, or never published)'}
        </p>
      ) : null}
    </section>
  );
}

function Dashboard({ config, token, initialUser }: { config: ConsoleConfig; token: string; initialUser: string }): JSX.Element {
  const api = useRef(new AdminApi(config.apiBase, token)).current;
  const [pods, setPods] = useState<Answer<{ pods: Pod[] }> | undefined>();
  const [history, setHistory] = useState<History>(new Map());
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      const answer = await api.pods();
      if (stopped) return;
      const at = Date.now();
      setPods(answer);
      setNow(at);
      if (answer.ok && answer.body) setHistory((h) => addPoll(h, answer.body!.pods, at));
      // Over the rate limit: wait as long as the gateway asks.
      const wait = answer.status === 429 && answer.retryAfter ? Number(answer.retryAfter) * 1000 : config.pollMs;
      timer = setTimeout(() => void poll(), Math.max(config.pollMs, wait || 0));
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, config.pollMs]);
  const list = pods?.body?.pods ?? [];
  const series = [...history.values()];
  return (
    <div className="grid">
      <section className="card wide" aria-labelledby="pods-title">
        <h2 id="pods-title">
          Pods <small>{pods?.ok ? `${list.length} live · polled ${clock(now)}` : ''}</small>
        </h2>
        <Failure answer={pods} />
        <PodsTable pods={list} />
      </section>
      <section className="card wide charts">
        <LineChart title="Deliveries per second" unit="/s" testId="chart-deliveries" now={now} windowMs={WINDOW_MS} lines={series.map((s) => ({ label: s.podId, points: s.deliveriesPerSecond }))} />
        <LineChart title="Sessions" unit="" testId="chart-sessions" now={now} windowMs={WINDOW_MS} lines={series.map((s) => ({ label: s.podId, points: s.sessions }))} />
      </section>
      <UserInspector api={api} initialUser={initialUser} refreshMs={2 * config.pollMs} />
      <EventTypes publishBase={config.services.publish} token={token} />
    </div>
  );
}

export function OpsView({ config, initialUser }: { config: ConsoleConfig; initialUser: string }): JSX.Element {
  const [token, setToken] = useState(() => sessionStorage.getItem(ADMIN_TOKEN_KEY) ?? '');
  const [draft, setDraft] = useState('');
  if (!token) {
    const info = draft ? parseToken(draft) : undefined;
    return (
      <section className="card signin" aria-labelledby="admin-title">
        <h2 id="admin-title">Operator sign-in</h2>
        <p className="muted">
          Paste an admin JWT (its <code>groups</code> claim holds the gateway's admin role, <code>sync-admin</code> by default). The local stack prints one
          (deploy/local/run.sh). Dev tokens never grant admin.
        </p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            sessionStorage.setItem(ADMIN_TOKEN_KEY, draft.trim());
            setToken(draft.trim());
          }}
        >
          <input type="password" id="admin-token" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="admin JWT" aria-label="Admin JWT" autoComplete="off" />
          <button type="submit" disabled={!draft.trim()}>
            Open ops view
          </button>
        </form>
        {info?.kind === 'dev' ? <p className="muted">That is a dev token: the admin API will refuse it.</p> : null}
      </section>
    );
  }
  return (
    <>
      <div className="row right">
        <span className="muted">operator {parseToken(token).userId ?? ''}</span>
        <button
          type="button"
          onClick={() => {
            sessionStorage.removeItem(ADMIN_TOKEN_KEY);
            setToken('');
          }}
        >
          Forget admin token
        </button>
      </div>
      <Dashboard key={token} config={config} token={token} initialUser={initialUser} />
    </>
  );
}
