'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { keepTabInside } from '@/lib/keep-tab-inside';
import { createHandoff, fetchDevices, fetchSharing, revokeDevice, shareConversation, stopSharing } from '../api/chat-api';
import { deviceName } from '../device-name';
import { relativeTime } from '../relative-time';
import { CopyButton } from './copy-button';

const devicesQueryKey = (conversationId: string) => ['devices', conversationId] as const;

/**
 * "Continue on another device": a fresh single-use link (10 minutes) as a QR code and as text,
 * and the devices with access, each revocable but this one. Closing keeps the link valid.
 */
export function HandoffDialog({ conversationId }: { conversationId: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const link = useMutation({ mutationFn: () => createHandoff(conversationId) });
  const devices = useQuery({ queryKey: devicesQueryKey(conversationId), queryFn: () => fetchDevices(conversationId), enabled: open, refetchInterval: open ? 5_000 : false });
  const revoke = useMutation({
    mutationFn: (deviceId: string) => revokeDevice(conversationId, deviceId),
    onSettled: () => queryClient.invalidateQueries({ queryKey: devicesQueryKey(conversationId) }),
  });
  const qrCode = useQrCode(link.data?.url ?? null);

  const show = () => {
    link.mutate();
    setOpen(true);
    dialog.current?.showModal();
  };
  return (
    <>
      <button type="button" className="link-button neutral" ref={opener} onClick={show}>
        Continue on another device
      </button>
      <dialog
        ref={dialog}
        className="settings-dialog handoff-dialog"
        aria-labelledby="handoff-title"
        onClose={() => {
          setOpen(false);
          opener.current?.focus();
        }}
        onKeyDown={keepTabInside}
      >
        <h2 id="handoff-title">Continue on another device</h2>
        <p>
          Scan the code with your phone, or open the link in any browser: it gets this conversation — its history, live runs,
          sending, Stop, approvals and notifications of its own. The link works once, for 10 minutes; this device keeps its access.
        </p>
        {link.error && <p className="notice notice-error" role="alert">{link.error.message}</p>}
        {link.isPending && <p className="muted" role="status">Making a link…</p>}
        {link.data && (
          <>
            {qrCode ? <img className="qr-code" src={qrCode} alt="QR code of the handoff link" width={200} height={200} /> : <div className="qr-code" />}
            <div className="handoff-link">
              <label>
                Handoff link
                <input type="text" readOnly value={link.data.url} onFocus={(event) => event.target.select()} />
              </label>
              <CopyButton text={link.data.url} label="Copy handoff link" />
            </div>
            <p className="muted">
              Works once, until {new Date(link.data.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.
            </p>
          </>
        )}
        <ShareReadOnly conversationId={conversationId} open={open} />
        <section aria-labelledby="devices-title">
          <h3 id="devices-title">Devices with access</h3>
          {devices.error && <p className="notice notice-error" role="alert">{devices.error.message}</p>}
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
          {revoke.error && <p className="notice notice-error" role="alert">{revoke.error.message}</p>}
        </section>
        <form method="dialog">
          <button type="submit">Close</button>
        </form>
      </dialog>
    </>
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
      {share.data && sharing.data && (
        <div className="handoff-link">
          <label>
            Share link
            <input type="text" readOnly value={share.data.url} onFocus={(event) => event.target.select()} />
          </label>
          <CopyButton text={share.data.url} label="Copy share link" />
        </div>
      )}
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
      {(share.error ?? stop.error) && <p className="notice notice-error" role="alert">{(share.error ?? stop.error)!.message}</p>}
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
