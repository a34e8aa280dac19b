/** Shopify Flow: starts the workflows that begin with one of Tierline's trigger extensions (app/services/flow/). */
export const FLOW_TRIGGER_RECEIVE = `#graphql
mutation FlowTriggerReceive($handle: String!, $payload: JSON!) {
  flowTriggerReceive(handle: $handle, payload: $payload) {
    userErrors {
      field
      message
    }
  }
}`;
