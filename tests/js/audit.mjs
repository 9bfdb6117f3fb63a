// The GraphQL over HTTP audit of graphql-http (the spec's reference implementation) against a
// running server: one JSON line per audit ({id, name, status, reason}), status ok|warn|error.
//   node audit.mjs http://127.0.0.1:8000/graphql
import { auditServer } from "graphql-http";

const [url] = process.argv.slice(2);
const results = await auditServer({ url });
for (const { id, name, status, reason } of results) {
  console.log(JSON.stringify({ id, name, status, reason }));
}
