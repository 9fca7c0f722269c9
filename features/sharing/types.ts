/** A browser with access to a conversation, as "Devices with access" lists it. */
export type Device = { deviceId: string; userAgent: string; addedAt: string; lastSeenAt: string; current: boolean };
