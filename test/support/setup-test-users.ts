// A deployed target's test users live in its Cognito pool; each test file removes the ones it made.
import { afterAll } from 'vitest';
import { deleteTestUsers } from './deployed-target.ts';

afterAll(deleteTestUsers);
