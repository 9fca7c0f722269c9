export type Conversation = {
  id: string;
  visitorId: string;
  workspace: string;
  sdkSessionId: string | null;
  title: string | null;
  createdAt: string;
  lastActivityAt: string;
  expiresAt: string;
};
