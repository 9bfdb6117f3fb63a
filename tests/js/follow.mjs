// An unmodified Apollo Client, as a frontend would set it up: HttpLink for queries and
// mutations, GraphQLWsLink over graphql-ws's createClient for subscriptions. It creates a job,
// follows jobProgress to the end and prints each event as a JSON line.
//   node follow.mjs http://127.0.0.1:8000/graphql [api-key]
import { ApolloClient, HttpLink, InMemoryCache, gql, split } from "@apollo/client/core/index.js";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions/index.js";
import { getMainDefinition } from "@apollo/client/utilities/index.js";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, apiKey] = process.argv.slice(2);
const headers = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
const wsClient = createClient({
  url: url.replace(/^http/, "ws"),
  webSocketImpl: WebSocket,
  connectionParams: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
});
const link = split(
  ({ query }) => {
    const definition = getMainDefinition(query);
    return definition.kind === "OperationDefinition" && definition.operation === "subscription";
  },
  new GraphQLWsLink(wsClient),
  new HttpLink({ uri: url, headers, fetch }),
);
const client = new ApolloClient({ link, cache: new InMemoryCache() });

const created = await client.mutate({
  mutation: gql`
    mutation Create($input: CreateJobInput!) {
      createJob(input: $input) { job { id status } errors { field code message } }
    }`,
  variables: { input: { productName: "Apollo Lamp", style: "MINIMAL", ctaText: "Light it up" } },
});
const jobId = created.data.createJob.job.id;
console.log(JSON.stringify({ created: jobId }));

const observable = client.subscribe({
  query: gql`
    subscription Follow($id: ID!) {
      jobProgress(jobId: $id) { jobId sequence status progress stage stageStatus videoUrl }
    }`,
  variables: { id: jobId },
});
const timer = setTimeout(() => { console.error("timed out"); process.exit(2); }, 120000);
observable.subscribe({
  next: ({ data }) => console.log(JSON.stringify(data.jobProgress)),
  error: (error) => { console.error(String(error)); process.exit(1); },
  complete: () => {
    clearTimeout(timer);
    wsClient.dispose();
    console.log(JSON.stringify({ complete: true }));
  },
});
