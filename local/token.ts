/** `npm run token -- <userId>`: prints a development token from the running local runtime. */
const userId = process.argv[2];
if (!userId) {
  console.error('Usage: npm run token -- <userId>');
  process.exit(2);
}
const httpUrl = process.env.CHAT_HTTP_URL ?? `http://127.0.0.1:${process.env.HTTP_PORT ?? 3000}`;
try {
  const answer = await fetch(`${httpUrl}/_local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  const body = (await answer.json()) as { token?: string; error?: { message: string } };
  if (!answer.ok || !body.token) throw new Error(body.error?.message ?? `HTTP ${answer.status}`);
  console.log(body.token);
} catch (error) {
  console.error(
    `Could not get a token from ${httpUrl} (is \`npm run dev\` running?): ${(error as Error).message}`,
  );
  process.exit(1);
}
