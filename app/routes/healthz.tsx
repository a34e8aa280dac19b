// Liveness probe for process managers, the demo and the end-to-end tests.
export const loader = () => new Response("ok", { headers: { "Content-Type": "text/plain" } });
