import { type ArgumentsHost, Catch, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';

import { EMPTY, type Observable, throwError } from 'rxjs';

import { JetStreamContext } from './jetstream.context';

/**
 * Lets a handler's error reach `JetStreamServer` unchanged. Nest's default RPC filter turns
 * every non-RpcException into `{ status: 'error', message: 'Internal server error' }`, which
 * would hide `FerryError.retryable` and make every failure look retryable.
 *
 * Nest marks a hybrid app's microservice initialized as soon as it is connected, so the filter is
 * registered on the app (see `connectJetStream`) and inherited; HTTP errors (health routes) keep
 * Nest's usual HTTP handling.
 */
@Catch()
export class JetStreamExceptionFilter extends BaseRpcExceptionFilter<unknown, unknown> {
  private readonly http?: BaseExceptionFilter;

  constructor(httpAdapter?: HttpServer) {
    super();
    this.http = httpAdapter ? new BaseExceptionFilter(httpAdapter) : undefined;
  }

  override catch(exception: unknown, host: ArgumentsHost): Observable<unknown> {
    if (host.getType() === 'http' && this.http) {
      this.http.catch(exception, host);
      return EMPTY; // the HTTP response is sent; Nest ignores an HTTP filter's return value
    }
    if (host.getType() === 'rpc' && host.switchToRpc().getContext() instanceof JetStreamContext) {
      // JetStreamServer logs the outcome (nak / dead letter) with the message.
      return throwError(() => exception);
    }
    return super.catch(exception, host);
  }
}
