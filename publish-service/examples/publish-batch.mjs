// Publishes a batch through the publish API with Node's own fetch (Node 18+, no packages): a notification to one
// user's every device, one to a single device, one to all the user's devices but one, one to an organization and
// one to everyone. The batch is validated whole (one bad event refuses all of it) and answered 200 only once every
// event is durable; a 503 says per event what is durable, and the same request retried publishes only the rest.
//
//   PUBLISH_URL=http://localhost:8084 PUBLISH_KEY=local-notifications-key USER_ID=user_123 node publish-batch.mjs
const url = process.env.PUBLISH_URL ?? 'http://localhost:8084';
const key = process.env.PUBLISH_KEY ?? 'local-notifications-key';
const userId = process.env.USER_ID ?? 'user_123';
const orgId = process.env.ORG_ID ?? 'org_1';
const run = process.env.RUN_ID ?? String(Date.now()); // one idempotency key per event and run

const events = [
  { type: 'NOTIFICATION_NEW', to: { userId }, data: { title: 'Shared with you' }, idempotencyKey: `${run}-all` },
  { type: 'NOTIFICATION_NEW', to: { userId, deviceId: 'iphone_456' }, data: { title: 'On your phone' }, idempotencyKey: `${run}-one` },
  { type: 'NOTIFICATION_SEEN', to: { userId, exceptDeviceId: 'iphone_456' }, data: { id: 'n-1' }, idempotencyKey: `${run}-others` },
  { type: 'NOTIFICATION_NEW', to: { orgId }, data: { title: 'Team update' }, idempotencyKey: `${run}-org` },
  { type: 'NOTIFICATION_NEW', to: { everyone: true }, data: { title: 'Maintenance at 22:00' }, idempotencyKey: `${run}-everyone` },
];

async function publish(attempt = 1) {
  const response = await fetch(`${url}/api/sync/events/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  const body = await response.json();
  if ((response.status === 503 || response.status === 429) && attempt < 5) {
    const seconds = Number(response.headers.get('retry-after') ?? 1);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return publish(attempt + 1); // same keys: only what is not durable yet is published
  }
  if (response.status !== 200) {
    throw new Error(`${response.status} ${JSON.stringify(body)}`);
  }
  return body;
}

const answer = await publish();
console.log(JSON.stringify(answer));
