// The publish API's teams and the event types each owns (issue 24), from the publish service's
// GET /api/admin/event-types with the operator's token: who may emit what, and which types have a JSON Schema.
import { useEffect, useState } from 'react';
import { callJson, type Answer } from './http.js';

interface TeamView {
  name: string;
  types: string[];
  eventsPerSecond: number;
  burstEvents: number;
  schemas: Record<string, unknown>;
}

export function EventTypes({ publishBase, token }: { publishBase: string; token: string }): JSX.Element {
  const [answer, setAnswer] = useState<Answer<{ teams: TeamView[] }> | undefined>();
  useEffect(() => {
    const controller = new AbortController();
    void callJson<{ teams: TeamView[] }>(`${publishBase}/api/admin/event-types`, { token, signal: controller.signal }).then(setAnswer);
    return () => controller.abort();
  }, [publishBase, token]);
  const teams = answer?.body?.teams ?? [];
  return (
    <section className="card wide" aria-labelledby="event-types-title">
      <h2 id="event-types-title">
        Event types of other teams <small>publish API {publishBase}</small>
      </h2>
      {answer && !answer.ok ? <p className="muted">{`${answer.code ?? answer.status}: ${answer.reason ?? ''}`}</p> : null}
      {answer?.ok && teams.length === 0 ? <p className="muted">No team is configured.</p> : null}
      {teams.length > 0 ? (
        <table data-testid="event-types">
          <thead>
            <tr>
              <th>team</th>
              <th>owns</th>
              <th>JSON Schema for</th>
              <th>rate (events/s, burst)</th>
            </tr>
          </thead>
          <tbody>
            {teams.map((team) => (
              <tr key={team.name}>
                <td>{team.name}</td>
                <td>{team.types.join(', ')}</td>
                <td>{Object.keys(team.schemas).join(', ') || '-'}</td>
                <td>{`${team.eventsPerSecond}, ${team.burstEvents}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
