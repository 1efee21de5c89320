import { BaseRpcContext } from '@nestjs/microservices';

import type { JsMsg } from '@nats-io/jetstream';

export interface JetStreamDeliveryOptions {
  maxDeliver: number;
  /** Aborted when the server shuts down and this handler outlived the grace period. */
  signal: AbortSignal;
}

type JetStreamContextArgs = [msg: JsMsg, options: JetStreamDeliveryOptions];

/**
 * The second argument of every `@EventPattern` handler served by `JetStreamServer`
 * (`@Ctx() ctx: JetStreamContext`).
 */
export class JetStreamContext extends BaseRpcContext<JetStreamContextArgs> {
  constructor(msg: JsMsg, options: JetStreamDeliveryOptions) {
    super([msg, options]);
  }

  /** The real subject, prefix included. */
  get subject(): string {
    return this.args[0].subject;
  }

  /** 1 on the first delivery. */
  get deliveryCount(): number {
    return this.args[0].info.deliveryCount;
  }

  get streamSequence(): number {
    return this.args[0].info.streamSequence;
  }

  /** After this delivery, any failure dead-letters the message instead of retrying it. */
  get isLastDelivery(): boolean {
    return this.deliveryCount >= this.args[1].maxDeliver;
  }

  /** Message headers (first value of each key). */
  get headers(): Record<string, string> {
    const hdrs = this.args[0].headers;
    const out: Record<string, string> = {};
    if (!hdrs) return out;
    for (const key of hdrs.keys()) out[key] = hdrs.get(key);
    return out;
  }

  get signal(): AbortSignal {
    return this.args[1].signal;
  }

  /** Resets the server's ack timer. The server already does this every ackWait/3. */
  working(): void {
    try {
      this.args[0].working();
    } catch {
      // Connection closed: the message will be redelivered anyway, nothing to extend.
    }
  }

  /** The raw nats.js message, for what this context does not expose. */
  getMessage(): JsMsg {
    return this.args[0];
  }
}
