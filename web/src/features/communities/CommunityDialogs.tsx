import { useNavigate } from "@tanstack/react-router";
import { rest } from "../../app/runtime";
import { applyDispatch } from "../../stores/dispatch";
import { ConfirmDialog, NameDialog } from "../../ui/FormDialogs";
import type { CommunityInfo } from "../../stores/communities";

export function CreateCommunityDialog({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  return (
    <NameDialog
      title="Create a community"
      label="Community name"
      submitLabel="Create"
      testId="create-community-dialog"
      onClose={onClose}
      onSubmit={async (name) => {
        const c = await rest.createCommunity({ name });
        // The gateway sends COMMUNITY_CREATE too; applying it now is idempotent and avoids a flash.
        applyDispatch({ t: "COMMUNITY_CREATE", d: c });
        await navigate({ to: "/app/$communityId", params: { communityId: c.id } });
      }}
    />
  );
}

export function RenameCommunityDialog({ community, onClose }: { community: CommunityInfo; onClose: () => void }) {
  return (
    <NameDialog
      title="Rename community"
      label="Community name"
      initial={community.name}
      submitLabel="Save"
      onClose={onClose}
      onSubmit={async (name) => applyDispatch({ t: "COMMUNITY_UPDATE", d: await rest.updateCommunity(community.id, { name }) })}
    />
  );
}

export function DeleteCommunityDialog({ community, onClose }: { community: CommunityInfo; onClose: () => void }) {
  const navigate = useNavigate();
  return (
    <ConfirmDialog
      title={`Delete ${community.name}?`}
      body="This deletes the community, its channels and all its messages for everyone. It cannot be undone."
      confirmLabel="Delete community"
      onClose={onClose}
      onConfirm={async () => {
        await rest.deleteCommunity(community.id);
        applyDispatch({ t: "COMMUNITY_DELETE", d: { id: community.id } });
        await navigate({ to: "/app" });
      }}
    />
  );
}

export function LeaveCommunityDialog({ community, onClose }: { community: CommunityInfo; onClose: () => void }) {
  const navigate = useNavigate();
  return (
    <ConfirmDialog
      title={`Leave ${community.name}?`}
      body="You will need a new invite to come back."
      confirmLabel="Leave community"
      onClose={onClose}
      onConfirm={async () => {
        await rest.leaveCommunity(community.id);
        applyDispatch({ t: "COMMUNITY_DELETE", d: { id: community.id } });
        await navigate({ to: "/app" });
      }}
    />
  );
}
