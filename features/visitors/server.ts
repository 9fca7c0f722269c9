export { issueVisitorCookie, serializeCookie, verifyVisitorCookie, visitorCookieName } from './server/visitor-cookie';
