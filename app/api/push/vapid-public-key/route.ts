import { vapidPublicKey } from '@/features/push/server';
import { route } from '../../_lib/route';

export const dynamic = 'force-dynamic';

export const GET = route(async () => Response.json({ publicKey: vapidPublicKey() }));
