"""Web pages of the consultation domain, one module per area. Views are thin: they turn forms
into service calls and service errors into form errors (ServiceError) or a 403 page
(NotAllowed), through `core.web`."""
from .accounts import (  # noqa: F401
    account_delete,
    complete_profile,
    data_download,
    my_participation,
    profile,
    signup,
)
from .census import verify_residence  # noqa: F401
from .consultations import (  # noqa: F401
    consultation_detail,
    healthz,
    home,
    proposal_detail,
    proposal_list,
)
from .moderation import moderate, moderation_queue, proposal_reject  # noqa: F401
from .paper import paper_entry, paper_import, paper_mismatches  # noqa: F401
from .proposals import (  # noqa: F401
    comment_create,
    flag,
    proposal_create,
    proposal_edit,
    proposal_follow,
    proposal_support,
    proposal_unfollow,
    proposal_unsupport,
    proposal_withdraw,
)
from .review import proposal_assess, review_consultation, review_home  # noqa: F401
from .setup import setup_create, setup_edit, setup_list, setup_preview  # noqa: F401
from .voting import results, vote, vote_receipt  # noqa: F401
