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

async function verifyEmail(email: string): Promise<void> {
  const mail = await mailbox.waitFor((m) => m.to.includes(email) && /Confirm your email/.test(m.subject), 15_000);
  const link = mail.links.find((l) => l.startsWith('https://app.example.test/verify-email?token='))!;
  ok(await t.gql(`mutation($token: String!) { verifyEmail(token: $token) }`, { token: tokenOf(link) }));
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

  it('emails an unknown address a 14-day link (token stored hashed) that becomes the share once that address is proven', async () => {
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

    // Registering the address proves nothing: whoever registers it first gets no share …
    const { auth } = await registerUser(t, { email });
    expect((await t.gql<{ portfolio: unknown }>(ROLE, { id: portfolio.id }, { token: auth.accessToken })).data?.portfolio).toBeNull();
    expect(ok(await t.gql<Listed>(INVITATIONS, { id: portfolio.id }, { token: owner.token })).portfolio.invitations).toHaveLength(1);
    // … until the account verifies it (the link reached that inbox).
    await verifyEmail(email);
    expect(
      ok(await t.gql<{ portfolio: { myRole: string } }>(ROLE, { id: portfolio.id }, { token: auth.accessToken })).portfolio.myRole,
    ).toBe('VIEW');
    const after = ok(await t.gql<Listed>(INVITATIONS, { id: portfolio.id }, { token: owner.token }));
    expect(after.portfolio.invitations).toEqual([]);
    expect(after.portfolio.shares).toEqual([{ user: { email }, permission: 'VIEW' }]);
  });

  it('an account that registered the invited address but never verified it gets nothing until it proves the address', async () => {
    const owner = await createTestUser(t);
    const portfolio = await createPortfolio(t, owner);
    // The squatter registers the address first, then the owner invites it, as ADMIN.
    const email = uniqueEmail('cfo');
    const squatter = await registerUser(t, { email });
    ok(await t.gql(INVITE, { id: portfolio.id, email, permission: 'ADMIN' }, { token: owner.token }));
    expect(
      (await t.gql<{ portfolio: unknown }>(ROLE, { id: portfolio.id }, { token: squatter.auth.accessToken })).data?.portfolio,
    ).toBeNull();
    // A direct share to the unverified account is refused too.
    const shared = await t.gql(
      `mutation($id: ID!, $email: String!) { sharePortfolio(portfolioId: $id, email: $email, permission: VIEW) { permission } }`,
      { id: portfolio.id, email },
      { token: owner.token },
    );
    expect(errorCode(shared)).toBe('BAD_USER_INPUT');
    // The invitation went to the mailbox; its link is the proof.
    const listed = ok(await t.gql<Listed>(INVITATIONS, { id: portfolio.id }, { token: owner.token }));
    expect(listed.portfolio.invitations).toEqual([expect.objectContaining({ email, permission: 'ADMIN' })]);
    expect(listed.portfolio.shares).toEqual([]);
    const token = tokenOf((await mailbox.waitFor(invitationMail(email), 15_000)).links[0]!);
    const accepted = await t.gql<{ acceptInvitation: { id: string } }>(
      `mutation($token: String!) { acceptInvitation(token: $token) { id } }`,
      { token },
      { token: squatter.auth.accessToken },
    );
    expect(accepted.data?.acceptInvitation.id).toBe(portfolio.id);
    expect(
      ok(await t.gql<{ portfolio: { myRole: string } }>(ROLE, { id: portfolio.id }, { token: squatter.auth.accessToken })).portfolio.myRole,
    ).toBe('ADMIN');
  });

  it('refuses the addresses registration refuses (one normalisation for both)', async () => {
    const owner = await createTestUser(t);
    const portfolio = await createPortfolio(t, owner);
    for (const email of ['cfö@corp.example', 'cfo@cörp.example', 'not an email', `${'a'.repeat(250)}@example.com`]) {
      const invited = await t.gql(INVITE, { id: portfolio.id, email, permission: 'VIEW' }, { token: owner.token });
      const registered = await t.gql(`mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
        input: { email, password: 'amber-Tractor-58-violin', name: 'X' },
      });
      expect([email, errorCode(invited), errorCode(registered)]).toEqual([email, 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    }
    // Case and spaces are normalised the same way on both sides.
    const email = uniqueEmail('Mixed');
    ok(await t.gql(INVITE, { id: portfolio.id, email: `  ${email.toUpperCase()} `, permission: 'VIEW' }, { token: owner.token }));
    expect(ok(await t.gql<Listed>(INVITATIONS, { id: portfolio.id }, { token: owner.token })).portfolio.invitations).toEqual([
      expect.objectContaining({ email: email.toLowerCase() }),
    ]);
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
