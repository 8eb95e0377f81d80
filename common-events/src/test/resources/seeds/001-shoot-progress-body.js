// Seed 001, "Broadcast Shoot Progress": the object passed to JSON.stringify, verbatim.
{
    userId: 'user_123',
    shootId: 'shoot_456',
    status: 'processing',
    processedCount: 15,
    totalCount: 100,
    currentImage: 'IMG_0015.jpg',
    eta: 120, // seconds
    provider: 'Replicate',
  }
