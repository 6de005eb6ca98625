// The PaperGraph HTTP API, as the page uses it. URLs are relative, so the page also works behind a path prefix.

export class ApiError extends Error {}

async function call(path, options = {}) {
  const response = await fetch(path, { headers: { accept: "application/json" }, ...options });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(body.detail || `${response.status} ${response.statusText}`);
  return body;
}

const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null));

export const api = {
  overview: () => call("graph/overview"),
  search: (q, limit = 8) => call(`graph/search?${query({ q, limit })}`),
  expand: (node, limit, offset = 0) => call(`graph/expand?${query({ node, limit, offset })}`),
  path: (source, target, maxHops = 6) => call(`graph/path?${query({ source, target, max_hops: maxHops })}`),
  subgraph: (ids, entities) =>
    call("graph/subgraph", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ ids, entities }),
    }),
  paper: (id) => call(`papers/${encodeURIComponent(id)}`),
  entity: (label, id) => call(`entities/${label.toLowerCase()}/${encodeURIComponent(id)}?limit=30`),
  ask: (question) =>
    call("ask", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ question }),
    }),
};
