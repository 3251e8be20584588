// A subscriber of Depot's live updates, for tests/integration/test_live.py: one subscription
// over graphql-transport-ws, with the graphql-ws client or Apollo Client's GraphQLWsLink
// (mode "apollo"), or over Server-Sent Events with the graphql-sse client (mode "sse"). Prints one JSON line per thing that happens: {"ready":true} once acked,
// {"next": payload}, {"error": errors}, {"complete": true}, {"closed": code, "reason": ...}.
// Usage: node live_client.mjs ws://host:port/ TOKEN QUERY [VARIABLES_JSON] [graphql-ws|apollo|sse]
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';

const [url, token, query, variablesJson, mode = 'graphql-ws'] = process.argv.slice(2);
const variables = variablesJson ? JSON.parse(variablesJson) : undefined;
const print = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const client = mode === 'sse' ? null : createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: token === '-' ? {} : { Authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    on: {
        connected: () => print({ ready: true }),
        closed: (event) => print({ closed: event.code, reason: event.reason }),
    },
});

if (mode === 'sse') {
    // graphql-sse, distinct connections mode: one POST per subscription, the token as a header.
    const { createClient: createSseClient } = await import('graphql-sse');
    const sse = createSseClient({
        url: url.replace(/^ws/, 'http'),
        headers: token === '-' ? {} : { Authorization: `Bearer ${token}` },
        retryAttempts: 0,
    });
    print({ ready: true });
    sse.subscribe({ query, variables }, {
        next: (payload) => print({ next: payload }),
        error: (error) => print({ error: String(error?.message ?? error) }),
        complete: () => print({ complete: true }),
    });
} else if (mode === 'apollo') {
    const { ApolloClient, InMemoryCache, gql } = await import('@apollo/client');
    const { GraphQLWsLink } = await import('@apollo/client/link/subscriptions');
    const apollo = new ApolloClient({ link: new GraphQLWsLink(client), cache: new InMemoryCache() });
    apollo.subscribe({ query: gql(query), variables }).subscribe({
        next: (result) => print({ next: { data: result.data, errors: result.errors } }),
        error: (error) => print({ error: String(error) }),
        complete: () => print({ complete: true }),
    });
} else {
    client.subscribe({ query, variables }, {
        next: (payload) => print({ next: payload }),
        error: (error) => print({ error: Array.isArray(error) ? error : String(error?.code ?? error) }),
        complete: () => print({ complete: true }),
    });
}
