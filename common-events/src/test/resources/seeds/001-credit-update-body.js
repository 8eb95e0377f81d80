// Seed 001, "Broadcast Credit Update": the object passed to JSON.stringify, verbatim.
{
    userId: 'user_123',
    newBalance: 500,
    change: 100, // positive for purchase, negative for deduction
    reason: 'Credit purchase',
  }
