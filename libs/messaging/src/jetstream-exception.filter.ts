import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { JetStreamContext } from './jetstream.context';

/**
 * Lets a handler's error reach `JetStreamServer` unchanged. Nest's default RPC filter turns
 * every non-RpcException into `{ status: 'error', message: 'Internal server error' }`, which
 * would hide `FerryError.retryable` and make every failure look retryable.
 * Register it with `app.useGlobalFilters(new JetStreamExceptionFilter())` before `listen()`.
 */
@Catch()
export class JetStreamExceptionFilter extends BaseRpcExceptionFilter<unknown, unknown> {
  override catch(exception: unknown, host: ArgumentsHost): Observable<unknown> {
    if (host.getType() === 'rpc' && host.switchToRpc().getContext() instanceof JetStreamContext) {
      // JetStreamServer logs the outcome (nak / dead letter) with the message.
      return throwError(() => exception);
    }
    return super.catch(exception, host);
  }
}
