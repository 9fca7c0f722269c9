export { ChatApp } from './components/chat-app';
export { Providers } from './components/providers';
export { SharedConversation } from './components/shared-conversation';
