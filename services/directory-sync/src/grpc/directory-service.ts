import type { GrpcServer } from '@nes/kit';
import { directoryV1 } from '@nes/proto';
import type { ServiceContext } from '../context.js';
import { getUser } from './get-user.js';
import { listUsers } from './list-users.js';
import { validatePassword } from './validate-password.js';

/** Adds nes.directory.v1.DirectoryService to `server`. */
export function addDirectoryService(server: GrpcServer, ctx: ServiceContext): void {
  server.addService(directoryV1.DirectoryServiceService, {
    getUser: getUser(ctx),
    validatePassword: validatePassword(ctx),
    listUsers: listUsers(ctx),
  });
}
