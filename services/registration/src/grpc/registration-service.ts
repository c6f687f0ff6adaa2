import type { GrpcServer } from '@nes/kit';
import { registrationV1 } from '@nes/proto';
import type { RegistrationContext } from '../context.js';
import { authenticateClientHandler } from './authenticate-client.js';
import { getClientHandler } from './get-client.js';

/** Adds nes.registration.v1.RegistrationService to a kit gRPC server (health is already there). */
export function addRegistrationService(server: GrpcServer, context: RegistrationContext): void {
  server.addService(registrationV1.RegistrationServiceService, {
    authenticateClient: authenticateClientHandler(context),
    getClient: getClientHandler(context),
  });
}
