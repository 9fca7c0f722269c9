export { getConversation, openConversation, setSdkSession } from './server/queries';
