/** The header a shared page sends its link's token in: the token stays out of every URL the server sees. */
export const SHARE_TOKEN_HEADER = 'x-share-token';
