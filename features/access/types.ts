/** One member of a private workspace, as the operator lists them. */
export type Member = {
  memberId: string;
  label: string;
  userAgent: string;
  /** How it came in: an invite link, or a member's handoff link. */
  via: 'invite' | 'handoff';
  joinedAt: string;
  lastSeenAt: string;
};

/** A new invite link: the token is in its fragment, and nowhere else. */
export type Invite = { url: string; expiresAt: string };
