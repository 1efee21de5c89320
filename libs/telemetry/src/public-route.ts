/** Marks routes that need no API key (health, metrics); the gateway's guard honours it. */
export const PUBLIC_ROUTE = 'ferry:public';
