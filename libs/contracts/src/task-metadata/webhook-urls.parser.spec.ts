import { FerryError } from '../ferry.error';
import { parseRevertOf, refuseRevertOf } from './revert-of.parser';
import { MAX_TASK_WEBHOOK_URLS, parseWebhookUrls } from './webhook-urls.parser';

const refusal = (fn: () => unknown): FerryError => {
  try {
    fn();
  } catch (e) {
    return e as FerryError;
  }
  throw new Error('not refused');
};

describe('parseWebhookUrls', () => {
  it('reads none, one or a list', () => {
    expect(parseWebhookUrls(undefined)).toEqual([]);
    expect(parseWebhookUrls({ webhook_url: 'https://a.test/h' })).toEqual(['https://a.test/h']);
    expect(
      parseWebhookUrls({ webhook_url: ['http://a.test', 'https://b.test/x?y=1'] }),
    ).toHaveLength(2);
  });

  it.each<[unknown, string]>([
    ['ftp://a.test', 'must be an http(s) URL'],
    ['not a url', 'must be an http(s) URL'],
    ['https://user:pw@a.test', 'must not carry a user name or password'],
    [42, 'must be an http(s) URL'],
    [`https://a.test/${'x'.repeat(2100)}`, 'at most 2048 characters'],
  ])('refuses %p naming the key', (given, words) => {
    const err = refusal(() => parseWebhookUrls({ webhook_url: given }));
    expect(err).toBeInstanceOf(FerryError);
    expect(err.message).toContain(words);
    expect(Object.keys((err.details as { fields: object }).fields)).toEqual([
      'metadata.webhook_url',
    ]);
  });

  it(`refuses more than ${MAX_TASK_WEBHOOK_URLS} URLs`, () => {
    const urls = Array.from({ length: MAX_TASK_WEBHOOK_URLS + 1 }, (_, i) => `https://a.test/${i}`);
    expect(refusal(() => parseWebhookUrls({ webhook_url: urls })).message).toMatch(/at most 5/);
  });
});

describe('revert_of', () => {
  it('is read from a revert task and refused on POST /v1/tasks', () => {
    const id = 'task_01J0000000000000000000000A';
    expect(parseRevertOf({ revert_of: id })).toBe(id);
    expect(parseRevertOf({})).toBeNull();
    expect(refusal(() => parseRevertOf({ revert_of: 'x' })).message).toMatch(/must be a task id/);
    expect(refusal(() => refuseRevertOf({ revert_of: id })).message).toMatch(
      /set by POST \/v1\/tasks\/\{id\}\/revert/,
    );
    expect(() => refuseRevertOf({})).not.toThrow();
  });
});
