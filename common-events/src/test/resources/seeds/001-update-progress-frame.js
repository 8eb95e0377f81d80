// Seed 001, "Send Progress Updates": the frame a native app sends, verbatim.
{
  type: 'UPDATE_PROGRESS',
  payload: {
    shootId: 'shoot_456',
    status: 'processing',
    processedCount: 15,
    totalCount: 100,
    currentImage: 'IMG_0015.jpg',
    eta: 120,
    provider: 'Local',
  },
}
