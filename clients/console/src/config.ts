// Where the console connects. Served by a gateway at /console/, so by default it talks to that gateway (or the
// load balancer in front of the pods): the WebSocket at /ws and the HTTP API on the page's own origin. The
// domain services have other origins; their URLs are only used by the local-development test commands.
//
// Query parameters: ws=<WebSocket URL>, credit=, shoot=, prompt=, publish=<service base URLs>, poll=<ops refresh ms>.

export interface ConsoleConfig {
  wsUrl: string;
  /** The gateway's HTTP API (device list, admin API): the page's origin. */
  apiBase: string;
  /** publish: the publish API, whose teams and event types the ops view lists. */
  services: { credit: string; shoot: string; prompt: string; publish: string };
  /** Show the buttons that send the seeds' test commands to the domain services (local development only). */
  devTools: boolean;
  pollMs: number;
}

/** The local stack's ports (deploy/local/run.sh): credit 8081, shoot 8082, prompt 8083, publish 8084. */
const LOCAL_PORTS = { credit: 8081, shoot: 8082, prompt: 8083, publish: 8084 } as const;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function consoleConfig(location: { protocol: string; host: string; hostname: string; search: string; origin: string }): ConsoleConfig {
  const params = new URLSearchParams(location.search);
  const wsScheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const service = (name: keyof typeof LOCAL_PORTS) =>
    (params.get(name) ?? `${location.protocol}//${location.hostname}:${LOCAL_PORTS[name]}`).replace(/\/$/, '');
  const explicit = (['credit', 'shoot', 'prompt'] as const).some((name) => params.has(name));
  const poll = Number(params.get('poll'));
  return {
    wsUrl: params.get('ws') ?? `${wsScheme}//${location.host}/ws`,
    apiBase: location.origin,
    services: { credit: service('credit'), shoot: service('shoot'), prompt: service('prompt'), publish: service('publish') },
    devTools: explicit || LOOPBACK.has(location.hostname),
    pollMs: Number.isFinite(poll) && poll >= 500 ? poll : 2000,
  };
}
