// Registers aws-sdk-client-mock's matchers (toHaveReceivedCommandWith, ...) and their types.
import 'aws-sdk-client-mock-vitest/extend';
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';
import { expect } from 'vitest';

expect.extend(allCustomMatcher);
