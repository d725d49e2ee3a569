// Prisma CLI configuration (used for `prisma generate` and for authoring migrations).
// The running product never calls the Prisma CLI: it applies prisma/migrations itself (packages/db/src/migrate.ts).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/drover' },
});
