import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, uniqueEmail } from '../../test/auth.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { startMailbox, type Mailbox, type ReceivedMail } from '../../test/mailbox.js';
import { createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser } from '../../test/users.js';
import { startEmailWorker } from '../auth/index.js';
import type { RunningWorker } from '../platform/queues.js';

let mailbox: Mailbox;
let worker: RunningWorker;
afterAll(async () => {
  await mailbox?.close();
});
beforeAll(async () => {
  mailbox = await startMailbox();
});
const t = useTestApp(() => ({ env: { SMTP_URL: mailbox.url, APP_URL: 'https://app.example.test' } }));
beforeAll(async () => {
  worker = await startEmailWorker(t.config, t.app.log);
});
afterAll(async () => {
  await worker?.close();
});

const INVITE = `mutation($id: ID!, $email: String!, $permission: Permission!) { invitePortfolio(portfolioId: $id, email: $email, permission: $permission) }`;
const INVITATIONS = `query($id: ID!) { portfolio(id: $id) { invitations { id email permission createdAt expiresAt } shares { user { email } permission } } }`;
const ROLE = `query($id: ID!) { portfolio(id: $id) { myRole } }`;
const invitationMail = (to: string) => (m: ReceivedMail) => m.to.includes(to) && /shared a portfolio/.test(m.subject);
const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

interface Listed {
  portfolio: {
    invitations: Array<{ id: string; email: string; permission: string; expiresAt: string }>;
    shares: Array<{ user: { email: string }; permission: string }>;
  };
}

describe('invitePortfolio', () => {
  it('shares at once with an existing account, and answers true either way', async () => {
    const owner = await createTestUser(t);
    const friend = await createTestUser(t);
    const portfolio = await createPortfolio(t, owner);
    const result = await t.gql<{ invitePortfolio: boolean }>(
      INVITE,
      { id: portfolio.id, email: friend.email.toUpperCase(), permission: 'EDIT' },
      { token: owner.token },
    );
    expect(result.data?.invitePortfolio).toBe(true);
    expect(ok(await t.gql<{ portfolio: { myRole: string } }>(ROLE, { id: portfolio.id }, { token: friend.token })).portfolio.myRole).toBe(
      'EDIT',
    );
    const listed = ok(await t.gql<Listed>(INVITATIONS, { id: portfolio.id }, { token: owner.token }));
    expect(listed.portfolio.invitations).toEqual([]);
    // The owner's own address: still true, nothing changes.
    expect(
      (
        await t.gql<{ invitePortfolio: boolean }>(
          INVITE,
          { id: portfolio.id, email: owner.email, permission: 'VIEW' },
          { token: owner.token },
        )
      ).data?.invitePortfolio,
    ).toBe(true);
  });

  it('emails an unknown address a 14-day link (token stored hashed) that becomes the share when it registers', async () => {
    const owner = await createTestUser(t, { name: 'Olivia Owner' });
    const portfolio = await createPortfolio(t, owner, { name: 'Family savings' });
    const email = uniqueEmail('invitee');
    ok(await t.gql(INVITE, { id: portfolio.id, email, permission: 'VIEW' }, { token: owner.token }));

    const mail = await mailbox.waitFor(invitationMail(email), 15_000);
    expect(mail.subject).toContain('Olivia Owner');
    expect(mail.body).toContain('Family savings');
    const link = mail.links.find((l) => l.startsWith('https://app.example.test/invitations?token='))!;
    const token = tokenOf(link);
    const row = await t.app.services.db.portfolioInvitation.findFirstOrThrow({ where: { email } });
    expect(row.tokenHash).not.toContain(token);
    expect(Math.abs(row.expiresAt.getTime() - Date.now() - 14 * 86_400_000)).toBeLessThan(60_000);

    const listed = ok(await t.gql<Listed>(INVITATIONS, { id: portfolio.id }, { token: owner.token }));
    expect(listed.portfolio.invitations).toEqual([expect.objectContaining({ id: row.id, email, permission: 'VIEW' })]);

    const { auth } = await registerUser(t, { email });
    expect(
      ok(await t.gql<{ portfolio: { myRole: string } }>(ROLE, { id: portfolio.id }, { token: auth.accessToken })).portfolio.myRole,
    ).toBe('VIEW');
    const after = ok(await t.gql<Listed>(INVITATIONS, { id: portfolio.id }, { token: owner.token }));
    expect(after.portfolio.invitations).toEqual([]);
    expect(after.portfolio.shares).toEqual([{ user: { email }, permission: 'VIEW' }]);
  });

  it('a signed-in user may accept the link; the token works once', async () => {
    const owner = await createTestUser(t);
    const portfolio = await createPortfolio(t, owner);
    const email = uniqueEmail('other-address');
    ok(await t.gql(INVITE, { id: portfolio.id, email, permission: 'EDIT' }, { token: owner.token }));
    const token = tokenOf((await mailbox.waitFor(invitationMail(email), 15_000)).links[0]!);
    const someone = await createTestUser(t);
    const accepted = await t.gql<{ acceptInvitation: { id: string } }>(
      `mutation($token: String!) { acceptInvitation(token: $token) { id } }`,
      { token },
      { token: someone.token },
    );
    expect(accepted.data?.acceptInvitation.id).toBe(portfolio.id);
    expect(ok(await t.gql<{ portfolio: { myRole: string } }>(ROLE, { id: portfolio.id }, { token: someone.token })).portfolio.myRole).toBe(
      'EDIT',
    );
    const again = await t.gql(
      `mutation($token: String!) { acceptInvitation(token: $token) { id } }`,
      { token },
      { token: (await createTestUser(t)).token },
    );
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
  });

  it('revokeInvitation removes it; only OWNER/ADMIN see or revoke invitations; a VIEW collaborator cannot invite', async () => {
    const owner = await createTestUser(t);
    const viewer = await createTestUser(t);
    const portfolio = await createPortfolio(t, owner);
    ok(await t.gql(INVITE, { id: portfolio.id, email: viewer.email, permission: 'VIEW' }, { token: owner.token }));
    const email = uniqueEmail('revoked');
    ok(await t.gql(INVITE, { id: portfolio.id, email, permission: 'VIEW' }, { token: owner.token }));
    const [invitation] = ok(await t.gql<Listed>(INVITATIONS, { id: portfolio.id }, { token: owner.token })).portfolio.invitations;

    const peek = await t.gql(
      `query($id: ID!) { portfolio(id: $id) { invitations { id } } }`,
      { id: portfolio.id },
      { token: viewer.token },
    );
    expect(errorCode(peek)).toBe('FORBIDDEN');
    expect(
      errorCode(await t.gql(`mutation($id: ID!) { revokeInvitation(id: $id) }`, { id: invitation!.id }, { token: viewer.token })),
    ).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(INVITE, { id: portfolio.id, email: uniqueEmail('x'), permission: 'VIEW' }, { token: viewer.token }))).toBe(
      'FORBIDDEN',
    );
    const stranger = await createTestUser(t);
    expect(
      errorCode(await t.gql(`mutation($id: ID!) { revokeInvitation(id: $id) }`, { id: invitation!.id }, { token: stranger.token })),
    ).toBe('NOT_FOUND');

    const revoked = await t.gql<{ revokeInvitation: boolean }>(
      `mutation($id: ID!) { revokeInvitation(id: $id) }`,
      { id: invitation!.id },
      { token: owner.token },
    );
    expect(revoked.data?.revokeInvitation).toBe(true);
    expect(ok(await t.gql<Listed>(INVITATIONS, { id: portfolio.id }, { token: owner.token })).portfolio.invitations).toEqual([]);
    const token = tokenOf((await mailbox.waitFor(invitationMail(email), 15_000)).links[0]!);
    const late = await t.gql(`mutation($token: String!) { acceptInvitation(token: $token) { id } }`, { token }, { token: stranger.token });
    expect(errorCode(late)).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(INVITE, { id: portfolio.id, email: 'not an email', permission: 'VIEW' }, { token: owner.token }))).toBe(
      'BAD_USER_INPUT',
    );
  });
});
