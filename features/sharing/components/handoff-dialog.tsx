'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Dialog } from '@/lib/modal-dialog';
import { createHandoff, fetchDevices, revokeDevice } from '../api/sharing-api';
import { deviceName } from '@/lib/device-name';
import { relativeTime } from '@/lib/relative-time';
import { LinkField } from './link-field';

const devicesQueryKey = (conversationId: string) => ['devices', conversationId] as const;

/**
 * "Continue on another device", shown while `open`: a fresh single-use link (10 minutes) as a QR
 * code and as text, and the devices with access, each revocable but this one. Closing keeps the
 * link valid.
 */
export function HandoffDialog({ conversationId, open, onClose }: { conversationId: string; open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const link = useMutation({ mutationFn: () => createHandoff(conversationId) });
  const devices = useQuery({ queryKey: devicesQueryKey(conversationId), queryFn: () => fetchDevices(conversationId), enabled: open, refetchInterval: open ? 5_000 : false });
  const revoke = useMutation({
    mutationFn: (deviceId: string) => revokeDevice(conversationId, deviceId),
    onSettled: () => queryClient.invalidateQueries({ queryKey: devicesQueryKey(conversationId) }),
  });
  const qrCode = useQrCode(link.data?.url ?? null);
  // A fresh link at each opening: the one shown last time may have been used since.
  const { mutate: makeLink } = link;
  useEffect(() => {
    if (open) makeLink();
  }, [open, makeLink]);
  return (
    <Dialog open={open} onClose={onClose} title="Continue on another device" className="handoff-dialog">
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
    </Dialog>
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
