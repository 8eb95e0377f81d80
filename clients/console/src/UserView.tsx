// The user view: what one device of a user sees, live. Connection (SyncIndicator, pod, resume stats), the
// user's devices, credit balance and shoot progress bars, an organization channel, the event log and, in local
// development, the seeds' test commands.
import { useEffect, useState } from 'react';
import type { CreditUpdateData } from '@kull/sync-client';
import { DeviceList, SyncIndicator, useActiveShoots, useCreditBalance, useShootProgress, useSyncSelector, useSyncStatusUpdates, useWebSocket, type SyncEvent } from '@kull/sync-react';
import type { ConsoleConfig } from './config.js';
import { creditUpdate, nextShootStep, promptChange, shootProgress, type Published } from './devtools.js';
import { EventLog } from './EventLog.js';
import type { EventLogStore } from './log.js';
import { describeFailure, type Answer } from './http.js';
import type { TokenInfo } from './token.js';

interface Credits {
  balance: number | null;
  highest: number;
  history: CreditUpdateData[];
}

// The balance as sync-react's useCreditBalance keeps it (credit-service's on connect, a new user's 0 included,
// then each CREDIT_UPDATE, ordered by version); the history and the bar's top from the live updates.
function useCredits(): Credits {
  const { balance } = useCreditBalance();
  const [history, setHistory] = useState<CreditUpdateData[]>([]);
  const [highest, setHighest] = useState(0);
  useWebSocket({ onCreditUpdate: (data) => setHistory((h) => [data, ...h].slice(0, 8)) });
  useEffect(() => {
    if (balance !== null) setHighest((h) => Math.max(h, balance));
  }, [balance]);
  return { balance, highest, history };
}

function Bar({ percent, label, testId }: { percent: number; label: string; testId?: string }): JSX.Element {
  const clamped = Math.max(0, Math.min(100, percent));
  return (
    <div className="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(clamped)} aria-label={label} data-testid={testId}>
      <div className="fill" style={{ width: `${clamped}%` }} />
    </div>
  );
}

function CreditCard({ credits }: { credits: Credits }): JSX.Element {
  const { balance, highest, history } = credits;
  return (
    <section className="card" aria-labelledby="credits-title">
      <h2 id="credits-title">Credits</h2>
      <p className="big">
        <span id="balance" data-balance={balance ?? ''}>
          {balance ?? '—'}
        </span>{' '}
        <small>credits</small>
      </p>
      <Bar percent={balance && highest ? (balance / highest) * 100 : 0} label="Balance against the highest seen" testId="balance-bar" />
      <ul className="compact" data-testid="credit-history">
        {history.map((c, i) => (
          <li key={i} data-balance={c.newBalance}>
            {c.change > 0 ? '+' : ''}
            {c.change} → {c.newBalance} <small>{c.reason}</small>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ShootBar({ shootId }: { shootId: string }): JSX.Element {
  const { progress, progressPercentage } = useShootProgress(shootId);
  return (
    <li data-shoot-id={shootId} data-percent={progressPercentage} data-status={progress?.status ?? ''}>
      <div className="row">
        <strong>{shootId}</strong>
        <span>
          {progress?.status} {progress?.processedCount}/{progress?.totalCount} · {progressPercentage}%
          {progress?.currentImage ? ` · ${progress.currentImage}` : ''}
          {progress?.eta ? ` · ETA ${progress.eta}s` : ''}
        </span>
      </div>
      <Bar percent={progressPercentage} label={`Shoot ${shootId}`} />
    </li>
  );
}

function ShootCard({ shootIds, loading }: { shootIds: readonly string[]; loading: boolean }): JSX.Element {
  return (
    <section className="card" aria-labelledby="shoots-title">
      <h2 id="shoots-title">Shoots</h2>
      {shootIds.length === 0 ? <p className="muted">{loading ? 'Loading…' : 'No SHOOT_PROGRESS yet.'}</p> : null}
      <ul className="shoots" data-testid="shoots">
        {shootIds.map((id) => (
          <ShootBar key={id} shootId={id} />
        ))}
      </ul>
    </section>
  );
}

function OrgChannel({ orgId }: { orgId: string }): JSX.Element {
  const [events, setEvents] = useState<SyncEvent[]>([]);
  const { isConnected, lastEvent } = useSyncStatusUpdates({ organizationId: orgId, onEvent: (e) => setEvents((list) => [e, ...list].slice(0, 10)) });
  const progress = lastEvent?.type === 'SYNC_PROGRESS' ? lastEvent.progress ?? 0 : lastEvent?.type === 'SYNC_SUCCESS' ? 100 : undefined;
  return (
    <div data-testid="org-channel" data-org={orgId} data-connected={isConnected}>
      <p>
        <strong>{orgId}</strong> {isConnected ? 'joined' : 'waiting for the connection'}
      </p>
      {progress !== undefined ? <Bar percent={progress} label={`Organization ${orgId} sync`} /> : null}
      <ul className="compact">
        {events.map((e, i) => (
          <li key={i} data-type={e.type}>
            {e.type} {e.jobId} {e.pfaId ?? ''} {e.message ?? ''}
          </li>
        ))}
      </ul>
    </div>
  );
}

function OrgCard({ info }: { info: TokenInfo }): JSX.Element {
  const [draft, setDraft] = useState(info.orgs[0] ?? '');
  const [orgId, setOrgId] = useState<string | undefined>(undefined);
  return (
    <section className="card" aria-labelledby="org-title">
      <h2 id="org-title">Organization channel</h2>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setOrgId(draft.trim() || undefined);
        }}
      >
        <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="org id, e.g. org-rio" aria-label="Organization id" />
        <button type="submit">{orgId ? 'Switch' : 'Join'}</button>
        {orgId ? (
          <button type="button" onClick={() => setOrgId(undefined)}>
            Leave
          </button>
        ) : null}
      </form>
      {orgId ? <OrgChannel key={orgId} orgId={orgId} /> : <p className="muted">Seed 003's SYNC_* events of one organization (SUBSCRIBE on this connection).</p>}
    </section>
  );
}

interface Sent {
  n: number;
  kind: string;
  answer: Answer<Published>;
}

function DevTools({ config, userId, balance, shootIds }: { config: ConsoleConfig; userId: string; balance: number | null; shootIds: readonly string[] }): JSX.Element {
  const [change, setChange] = useState(100);
  const [shootId, setShootId] = useState('test-123');
  const [promptId, setPromptId] = useState('prompt_789');
  const [sent, setSent] = useState<Sent[]>([]);
  const [shootSteps, setShootSteps] = useState<Record<string, number>>({});
  const record = (kind: string, answer: Answer<Published>) => setSent((list) => [{ n: list.length + 1, kind, answer }, ...list].slice(0, 20));
  const counter = sent.length + 1;
  return (
    <section className="card" aria-labelledby="dev-title">
      <h2 id="dev-title">
        Test commands <small>local development</small>
      </h2>
      <p className="muted">The seeds' test commands, sent to the domain services (anonymous writes and CORS for this page are on only in the local stack and the %dev profile).</p>
      <div className="inline">
        <input type="number" value={change} onChange={(e) => setChange(Number(e.target.value))} aria-label="Credit change" />
        <button
          type="button"
          id="send-credit"
          onClick={async () =>
            record('credit', await creditUpdate(config.services.credit, { userId, newBalance: (balance ?? 0) + change, change, reason: `Console test #${counter}` }))
          }
        >
          Credit update
        </button>
      </div>
      <div className="inline">
        <input id="shoot-id" value={shootId} onChange={(e) => setShootId(e.target.value)} aria-label="Shoot id" list="shoot-ids" />
        <datalist id="shoot-ids">
          {shootIds.map((id) => (
            <option key={id} value={id} />
          ))}
        </datalist>
        <button
          type="button"
          id="send-shoot"
          onClick={async () => {
            const before = shootSteps[shootId] ?? 0;
            const step = nextShootStep(userId, shootId, before >= 100 ? 0 : before);
            setShootSteps((s) => ({ ...s, [shootId]: step.processedCount }));
            record('shoot', await shootProgress(config.services.shoot, step));
          }}
        >
          Shoot progress +10
        </button>
      </div>
      <div className="inline">
        <input value={promptId} onChange={(e) => setPromptId(e.target.value)} aria-label="Prompt id" />
        <button type="button" id="send-prompt" onClick={async () => record('prompt', await promptChange(config.services.prompt, { promptId, action: 'updated', userIds: [userId] }))}>
          Prompt change
        </button>
      </div>
      <ol id="sent" className="compact" reversed>
        {sent.map((s) => (
          <li key={s.n} data-kind={s.kind} data-status={s.answer.status} data-event-ids={(s.answer.body?.eventIds ?? []).join(',')} className={s.answer.ok ? 'ok' : 'failed'}>
            {s.kind}: {s.answer.ok ? `${s.answer.status} published ${(s.answer.body?.eventIds ?? []).map((id) => id.slice(0, 8)).join(', ')}` : describeFailure(s.answer)}
          </li>
        ))}
      </ol>
    </section>
  );
}

function ConnectionCard({ info, onSignOut }: { info: TokenInfo; onSignOut: () => void }): JSX.Element {
  const state = useSyncSelector((s) => s.state);
  const reason = useSyncSelector((s) => s.reason);
  const pod = useSyncSelector((s) => s.pod);
  const deviceId = useSyncSelector((s) => s.deviceId);
  const resumed = useSyncSelector((s) => s.resumed);
  const stats = useSyncSelector((s) => s.stats);
  return (
    <section className="card wide connection" id="connection" data-state={state} data-pod={pod ?? ''}>
      <div className="row">
        <SyncIndicator />
        <span>
          <strong>{info.userId}</strong> · device {deviceId ?? info.deviceId ?? '(generated)'} · {info.kind === 'dev' ? 'dev token' : 'JWT'}
          {info.expiresAt ? ` · expires ${new Date(info.expiresAt).toLocaleTimeString()}` : ''}
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </div>
      <p className="muted">
        {state}: {reason} · pod {pod ?? '—'} {resumed ? '(resumed)' : ''} · reconnects {stats.reconnects}, resumes {stats.resumes}, replayed {stats.replayed}, duplicates skipped {stats.duplicates}, resyncs {stats.resyncs}
      </p>
    </section>
  );
}

export function UserView({ config, info, log, onSignOut }: { config: ConsoleConfig; info: TokenInfo; log: EventLogStore; onSignOut: () => void }): JSX.Element {
  const credits = useCredits();
  // The user's active shoots from shoot-service (so a new tab shows a shoot at 20% at once), then any SHOOT_PROGRESS.
  const { shootIds, loading } = useActiveShoots(info.userId);
  return (
    <div className="grid">
      <ConnectionCard info={info} onSignOut={onSignOut} />
      <CreditCard credits={credits} />
      <ShootCard shootIds={shootIds} loading={loading} />
      <section className="card" aria-labelledby="devices-title">
        <h2 id="devices-title">Devices</h2>
        <DeviceList userId={info.userId} />
      </section>
      <OrgCard info={info} />
      {config.devTools && info.userId ? <DevTools config={config} userId={info.userId} balance={credits.balance} shootIds={shootIds} /> : null}
      <EventLog store={log} />
    </div>
  );
}
