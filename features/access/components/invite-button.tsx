'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { LinkField } from '@/features/sharing';
import { Dialog } from '@/lib/modal-dialog';
import { createInvite } from '../api/access-api';

/**
 * "Invite someone", for members of a private workspace that lets members invite: a single-use link,
 * good for a week, that makes the browser opening it a member. Named, so the operator's members
 * list says whose it was.
 */
export function InviteButton() {
  const [open, setOpen] = useState(false);
  const [label, setLabel] = useState('');
  const invite = useMutation({ mutationFn: () => createInvite(label) });
  const close = () => {
    setOpen(false);
    invite.reset();
  };
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Invite someone
      </button>
      <Dialog open={open} onClose={close} title="Invite someone">
        <section>
          <p className="muted">The link lets one browser into this private workspace, once, within 7 days. Send it only to the person it is for.</p>
          <label>
            Who it is for (optional)
            <input type="text" maxLength={100} value={label} onChange={(event) => setLabel(event.target.value)} placeholder="Ana's phone" />
          </label>
          {invite.data ? (
            <LinkField label="Invite link" url={invite.data.url} />
          ) : (
            <button type="button" disabled={invite.isPending} onClick={() => invite.mutate()}>
              Make invite link
            </button>
          )}
          {invite.error && (
            <p className="notice notice-error" role="alert">
              {invite.error.message}
            </p>
          )}
        </section>
      </Dialog>
    </>
  );
}
