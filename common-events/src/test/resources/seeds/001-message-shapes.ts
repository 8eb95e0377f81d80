// Seed 001, "Message Types": the message shapes web clients rely on, verbatim.
{
  type: 'SHOOT_PROGRESS',
  data: {
    shootId: string;
    status: 'queued' | 'processing' | 'completed' | 'failed';
    processedCount: number;
    totalCount: number;
    currentImage?: string;
    eta?: number; // seconds
    provider: string;
    errorMessage?: string;
  },
  timestamp: number,
  deviceId: string,
  userId: string,
}
{
  type: 'CREDIT_UPDATE',
  data: {
    userId: string;
    newBalance: number;
    change: number; // +100 for purchase, -10 for usage
    reason: string;
  },
  timestamp: number,
  deviceId: string,
  userId: string,
}
{
  type: 'DEVICE_CONNECTED',
  data: {
    deviceId: string;
    platform: string;
    deviceName: string;
    connectedAt: number;
  },
  timestamp: number,
  deviceId: string,
  userId: string,
}
