// Seed 001, "Broadcast Prompt Change": the object passed to JSON.stringify, verbatim.
{
    promptId: 'prompt_789',
    action: 'voted', // 'created' | 'updated' | 'deleted' | 'voted'
    userIds: ['user_123', 'user_456'], // optional: specific users to notify
  }
