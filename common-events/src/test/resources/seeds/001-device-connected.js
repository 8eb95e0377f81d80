// Seed 001 gives only the shape of DEVICE_CONNECTED (see 001-message-shapes.ts), no values;
// this example fills that shape in.
{
  type: 'DEVICE_CONNECTED',
  data: {
    deviceId: 'iphone_456',
    platform: 'ios',
    deviceName: "Steve's iPhone",
    connectedAt: 1732788000000,
  },
  timestamp: 1732788000123,
  deviceId: 'iphone_456',
  userId: 'user_123',
}
