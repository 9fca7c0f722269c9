'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ModalDialog } from '@/lib/modal-dialog';
import { createHandoff, fetchDevices, fetchSharing, revokeDevice, shareConversation, stopSharing } from '../api/sharing-api';
import { deviceName } from '@/lib/device-name';
import { relativeTime } from '@/lib/relative-time';
import { CopyButton } from '@/lib/ui/copy-button';

const devicesQueryKey = (conversationId: string) => ['devices', conversationId] as const;

/**
 * "Continue on another device": a fresh single-use link (10 minutes) as a QR code and as text,
 * read-only sharing, and the devices with access, each revocable but this one. Closing keeps
 * the link valid.
 */
export function HandoffDialog({ conversationId }: { conversationId: string }) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const link = useMutation({ mutationFn: () => createHandoff(conversationId) });
  const devices = useQuery({ queryKey: devicesQueryKey(conversationId), queryFn: () => fetchDevices(conversationId), enabled: open, refetchInterval: open ? 5_000 : false });
  const revoke = useMutation({
    mutationFn: (deviceId: string) => revokeDevice(conversationId, deviceId),
    onSettled: () => queryClient.invalidateQueries({ queryKey: devicesQueryKey(conversationId) }),
  });
  const qrCode = useQrCode(link.data?.url ?? null);
  const onOpenChange = (opened: boolean) => {
    if (opened) link.mutate();
    setOpen(opened);
  };
  return (
    <ModalDialog label="Continue on another device" title="Continue on another device" buttonClassName="link-button neutral" className="handoff-dialog" onOpenChange={onOpenChange}>
      <p>
        Scan the code with your phone, or open the link in any browser: it gets this conversation — its history, live runs, sending, Stop, approvals and notifications of its own. The link works once,
        for 10 minutes; this device keeps its access.
      </p>
      {link.error && (
        <p className="notice notice-error" role="alert">
          {link.error.message}
        </p>
      )}
      {link.isPending && (
        <p className="muted" role="status">
          Making a link…
        </p>
      )}
      {link.data && (
        <>
          {qrCode ? <img className="qr-code" src={qrCode} alt="QR code of the handoff link" width={200} height={200} /> : <div className="qr-code" />}
          <LinkField label="Handoff link" url={link.data.url} />
          <p className="muted">Works once, until {new Date(link.data.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.</p>
        </>
      )}
      <ShareReadOnly conversationId={conversationId} open={open} />
      <section aria-labelledby="devices-title">
        <h3 id="devices-title">Devices with access</h3>
        {devices.error && (
          <p className="notice notice-error" role="alert">
            {devices.error.message}
          </p>
        )}
        <ul className="devices">
          {devices.data?.map((device) => {
            const name = deviceName(device.userAgent);
            return (
              <li key={device.deviceId}>
                <span>
                  {name}
                  {device.current && ' (this device)'}
                </span>
                <span className="meta">
                  last seen <time dateTime={device.lastSeenAt}>{relativeTime(Date.parse(device.lastSeenAt))}</time>
                </span>
                {!device.current && (
                  <button type="button" className="link-button" disabled={revoke.isPending} aria-label={`Revoke ${name}`} onClick={() => revoke.mutate(device.deviceId)}>
                    Revoke
                  </button>
                )}
              </li>
            );
          })}
        </ul>
        {revoke.error && (
          <p className="notice notice-error" role="alert">
            {revoke.error.message}
          </p>
        )}
      </section>
    </ModalDialog>
  );
}

/** A link to hand on: in a read-only field (selected on focus), with Copy. */
function LinkField({ label, url }: { label: string; url: string }) {
  return (
    <div className="handoff-link">
      <label>
        {label}
        <input type="text" readOnly value={url} onFocus={(event) => event.target.select()} />
      </label>
      <CopyButton text={url} label={`Copy ${label.toLowerCase()}`} />
    </div>
  );
}

/**
 * "Share read-only": a link anyone can open to read the history and watch live runs, nothing
 * more. Sharing again makes a new link (the old one stops); "Turn off sharing" stops it at once.
 */
function ShareReadOnly({ conversationId, open }: { conversationId: string; open: boolean }) {
  const queryClient = useQueryClient();
  const sharingKey = ['sharing', conversationId] as const;
  const sharing = useQuery({ queryKey: sharingKey, queryFn: () => fetchSharing(conversationId), enabled: open });
  const share = useMutation({ mutationFn: () => shareConversation(conversationId), onSuccess: () => queryClient.setQueryData(sharingKey, true) });
  const stop = useMutation({
    mutationFn: () => stopSharing(conversationId),
    onSuccess: () => {
      queryClient.setQueryData(sharingKey, false);
      share.reset();
    },
  });
  return (
    <section aria-labelledby="share-title">
      <h3 id="share-title">Share read-only</h3>
      <p className="muted">Whoever has the link can read this conversation and watch its runs: not send, stop, approve, or see the files.</p>
      {share.data && sharing.data && <LinkField label="Share link" url={share.data.url} />}
      {sharing.data && !share.data && <p role="status">A read-only link is on.</p>}
      <div className="share-actions">
        <button type="button" disabled={share.isPending} onClick={() => share.mutate()}>
          {sharing.data ? 'New share link' : 'Share read-only'}
        </button>
        {sharing.data && (
          <button type="button" disabled={stop.isPending} onClick={() => stop.mutate()}>
            Turn off sharing
          </button>
        )}
      </div>
      {(share.error ?? stop.error) && (
        <p className="notice notice-error" role="alert">
          {(share.error ?? stop.error)!.message}
        </p>
      )}
    </section>
  );
}

/** The link as a QR code image (the encoder is a chunk of its own, loaded with the first code). */
function useQrCode(text: string | null): string | null {
  const [image, setImage] = useState<{ text: string; dataUrl: string } | null>(null);
  useEffect(() => {
    if (!text) return;
    let current = true;
    void import('qrcode-generator').then(({ default: qrcode }) => {
      const code = qrcode(0, 'M');
      code.addData(text);
      code.make();
      if (current) setImage({ text, dataUrl: code.createDataURL(5, 4) });
    });
    return () => {
      current = false;
    };
  }, [text]);
  return image?.text === text ? image.dataUrl : null;
}
