// Seeds for the random choices tests make: taken from an environment variable when given (to replay a failure), else
// drawn fresh, and printed either way.
export function testSeed(envName: string): number {
  const given = process.env[envName];
  const seed = given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed)) throw new Error(`${envName}=${given} is not an integer`);
  console.log(`${envName}=${seed} (set it to replay this run's random choices)`);
  return seed;
}
