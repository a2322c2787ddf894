import { writeFileSync } from 'node:fs';
import { startPostgres } from '/work/wt/pg/test/helpers/pg-server.mjs';
const s = await startPostgres();
writeFileSync('/tmp/pgurl', await s.createDatabase('dev'));
process.on('SIGTERM', async () => { await s.destroy(); process.exit(0); });
setInterval(() => {}, 1e6);
