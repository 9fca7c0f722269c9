export { isHttpsRequest, issueVisitorCookie, serializeCookie, verifyVisitorCookie, VISITOR_COOKIE } from './server/visitor-cookie';
